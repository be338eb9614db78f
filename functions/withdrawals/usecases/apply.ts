// Applying for a withdrawal (POST /v1/withdrawals, the loans domain's prepayment from the account, and
// a partner province's purchase withdrawal through usecases/partner.ts — one plan, planApplication):
// read, decide (domain), then one transaction through commit(): the ledger debit (and interest to
// date and closure for closing reasons), the withdrawal record, the property/permit claim, the
// archive record and the idempotency record commit together or not at all.
//
// HPF_LOAN_REPAYMENT of one of our loans: the loans domain plans the repayment (overdue installments
// with penalty, then due ones, then principal; the payer's debit is in its ledger write) and the
// withdrawal record and its archive record join those items in the same commit. Nothing is paid out.
//
// PAID to a bank account (a payee; not our own loan, not a partner's purchase): the payment order
// (usecases/payment.ts) joins the same commit; its send follows the commit (never on a replay).
import { createHash } from 'node:crypto';
import { commit, type IdempotencyContext, type Outcome } from '../../../shared/tx.ts';
import { getAccount, ledgerWrite, type Account } from '../../../shared/ledger/ledger.ts';
import { policyOn } from '../../../shared/policy.ts';
import { businessDate, instantOf, nowIso } from '../../../shared/clock.ts';
import { newId } from '../../../shared/ids.ts';
import { canonicalJson } from '../../../shared/canonical.ts';
import { notFound, staffCovers, type Caller } from '../../../shared/auth.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { DomainError } from '../../../shared/errors.ts';
import { fenToYuan } from '../../../shared/money.ts';
import type { Logger } from '../../../shared/log.ts';
import { borrowerFlags, borrowerFlagsCheck, planAccountRepayment } from '../../loans/public.ts';
import { planAttachDocuments } from '../../documents/public.ts';
import { decideApplication, newWithdrawal, payout, spendingOf, withClaim, type Actor, type LoanRepayment, type Recalculation, type Withdrawal, type WithdrawalApplication, type WithdrawalChannel } from '../domain/withdrawal.ts';
import { applicationView, type WithdrawalBody } from '../domain/views.ts';
import { getClaim, putClaimItem, putWithdrawalItem } from '../store.ts';
import { actorOf, archiveWithdrawal } from './archive.ts';
import { orderWithdrawalPayment, sendOrdered } from './payment.ts';

/** A planned application: the items to commit, the new record and the answer. */
export interface ApplicationPlan {
  items: TxItem[];
  withdrawal: Withdrawal;
  view: WithdrawalBody;
  /** Sends the payment order after the commit (a withdrawal paid to a bank account). */
  afterCommit?: () => Promise<void>;
}

/**
 * The one application plan every entry point shares (POST /v1/withdrawals, the loans domain's
 * prepayment from the account, a partner province's purchase withdrawal): reads the account, the loan
 * flags and the property/permit claim, decides (domain), and returns the ledger debit, the flags'
 * check, the record, the claim and the archive record as items. Throws the refusal (DomainError).
 * `authorize`: the account the submitter may withdraw from, or a throw (an unknown account and one the
 * caller may not use get the same 404).
 */
export async function planApplication(a: {
  withdrawalId: string;
  body: WithdrawalApplication;
  actor: Actor;
  authorize: (found: Account | undefined) => Account;
  /** What was submitted, for the archive. */
  submitted: unknown;
  today: string;
  at: string;
  channel?: WithdrawalChannel;
}): Promise<ApplicationPlan> {
  const { withdrawalId, body, today, at } = a;
  const evidenceSha256 = createHash('sha256').update(canonicalJson(body.evidence)).digest('hex');
  const spending = spendingOf(body.reason, body.evidence);
  const policy = policyOn(today);
  const [found, loanFlags, claim] = await Promise.all([getAccount(body.accountNo), borrowerFlags(body.accountNo), spending ? getClaim(spending) : undefined]);
  const account = a.authorize(found);
  let decision = decideApplication({ account, loanFlags, body, claim, today, policy });
  // the uploaded evidence goes with this withdrawal, in its commit, and into its archive record
  const attached = await planAttachDocuments({
    documentIds: (body.evidence as { documentIds?: readonly string[] }).documentIds ?? [],
    submitter: { sub: a.actor.sub },
    record: { kind: 'WITHDRAWAL', id: withdrawalId, branch: account.branch, accountNo: account.accountNo },
    path: 'body.evidence.documentIds',
  });
  const items: TxItem[] = [...attached.items];
  let entryIds: string[] = [];
  let loanRepayment: LoanRepayment | undefined;
  if (decision.repaysLoanId) {
    const recalculation: Recalculation = (body.reason === 'HPF_LOAN_REPAYMENT' && body.recalculation) || 'REDUCE_TERM';
    const plan = await planAccountRepayment({
      loanId: decision.repaysLoanId,
      payer: account,
      ...(body.full ? { full: true } : { amountFen: decision.amountFen }),
      recalculation,
      ref: withdrawalId,
      memo: `HPF_LOAN_REPAYMENT/${policy.withdrawals.reasons.HPF_LOAN_REPAYMENT.code}`,
      date: today,
      actor: a.actor,
    });
    decision = { ...decision, amountFen: plan.amountFen };
    items.push(...plan.items);
    entryIds = plan.entryIds;
    loanRepayment = { ...plan.loanRepayment, recalculation };
  } else {
    // decided on the loan flags as read (an overdue loan allows only its repayment): they must still
    // hold at commit (the repayment plan above guards the payer's flags itself)
    items.push(borrowerFlagsCheck(account.accountNo, loanFlags));
    if (decision.status === 'PAID') {
      const ledger = ledgerWrite([payout(account, { withdrawalId, reason: body.reason, ...decision }, today)]);
      items.push(...ledger.items);
      entryIds = ledger.entries.map((e) => e.entryId);
    }
  }
  const decided = newWithdrawal({ withdrawalId, body, decision, evidenceSha256, submittedBy: a.actor, at, today, policy, entryIds, branch: account.branch, loanRepayment, channel: a.channel, accountStatus: account });
  // paid to a bank account: its payment order in this commit (none for our loan, a partner's purchase, a review)
  const payment = await orderWithdrawalPayment(decided, account, instantOf(at));
  const w = payment.withdrawal;
  items.push(...payment.items);
  items.push(putWithdrawalItem(w));
  if (spending) items.push(putClaimItem(withClaim(claim, spending, w, today)));
  const view = applicationView(w);
  items.push(
    archiveWithdrawal(w, account, {
      action: 'SUBMIT',
      actor: a.actor,
      at,
      submitted: attached.documents.length ? { ...(a.submitted as Record<string, unknown>), documents: attached.documents } : a.submitted,
      decision: {
        status: w.status,
        amount: view.amount,
        ...(w.reviewReasons.length ? { reviewReasons: w.reviewReasons, reviewDueOn: w.reviewDueOn } : {}),
        ...(view.loanRepayment ? { loanRepayment: view.loanRepayment } : {}),
        ...(w.channel ? { channel: w.channel } : {}),
        ...(w.payment ? { paymentId: w.payment.paymentId } : {}),
      },
    }),
  );
  return { items, withdrawal: w, view, ...(payment.afterCommit ? { afterCommit: payment.afterCommit } : {}) };
}

/**
 * The application use case of the routes: one commit of the shared plan. `mayApply`: whether the
 * caller may withdraw from that account (a member: their own; the loans domain's route: also staff
 * covering its branch); others get 404. `submitted`: what the caller submitted, for the archive
 * (default: the application).
 */
export function apply(
  caller: Caller,
  body: WithdrawalApplication,
  idempotency: IdempotencyContext | undefined,
  opts: { mayApply: (caller: Caller, account: Account) => boolean; submitted?: unknown; log?: Logger },
): Promise<Outcome<WithdrawalBody>> {
  const withdrawalId = newId('W');
  let after: (() => Promise<void>) | undefined;
  return commit({
    idempotency,
    plan: async () => {
      const plan = await planApplication({
        withdrawalId,
        body,
        actor: actorOf(caller),
        authorize: (found) => (found && opts.mayApply(caller, found) ? found : notFound('Account')),
        submitted: opts.submitted ?? body,
        today: businessDate(),
        at: nowIso(),
      });
      after = plan.afterCommit;
      return { items: plan.items, body: plan.view };
    },
  }).then(async (out) => {
    await sendOrdered(after, out.replayed, opts.log, withdrawalId);
    return out;
  });
}

/** The member owning the account. */
const ownAccount = (c: Caller, account: Account) => c.role === 'member' && c.accountNo === account.accountNo;

/** POST /v1/withdrawals: a member withdraws from their own account. */
export const applyWithdrawal = (caller: Caller, body: WithdrawalApplication, idempotency: IdempotencyContext | undefined, submitted?: unknown, log?: Logger) =>
  apply(caller, body, idempotency, { mayApply: ownAccount, submitted, log });

export interface LoanRepaymentRequest {
  accountNo: string;
  loanId: string;
  amountFen?: number;
  full?: boolean;
  recalculation: Recalculation;
}

/**
 * The loans domain's prepayment from the account (POST /v1/loans/{id}/prepayments, source ACCOUNT):
 * the same use case as an HPF_LOAN_REPAYMENT withdrawal, by the member owning the account or staff
 * covering its branch.
 */
export function withdrawForLoanRepayment(caller: Caller, input: LoanRepaymentRequest, idempotency: IdempotencyContext | undefined): Promise<Outcome<WithdrawalBody>> {
  const body: WithdrawalApplication = {
    accountNo: input.accountNo,
    reason: 'HPF_LOAN_REPAYMENT',
    evidence: { loanId: input.loanId },
    recalculation: input.recalculation,
    ...(input.full ? { full: true } : { amount: input.amountFen }),
  };
  if (input.full ? input.amountFen !== undefined : !(Number.isSafeInteger(input.amountFen) && input.amountFen! > 0)) {
    throw new DomainError('VALIDATION_FAILED', 'Give exactly one of a positive amount or full: true / 金额与全额须二选一', [{ path: 'body.amount', message: 'give exactly one of amount or full: true' }]);
  }
  // what was submitted, as the prepayment route received it (money in yuan)
  const submitted = { source: 'ACCOUNT', accountNo: input.accountNo, loanId: input.loanId, ...(input.full ? { full: true } : { amount: fenToYuan(input.amountFen!) }), recalculation: input.recalculation };
  return apply(caller, body, idempotency, {
    mayApply: (c, account) => ownAccount(c, account) || staffCovers(c, account.branch),
    submitted,
  });
}
