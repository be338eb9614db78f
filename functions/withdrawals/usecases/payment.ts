// Paying a withdrawal through a bank (issue 16): the payment order in the commit of the debit, and the
// bank's result back into the withdrawal.
//
//  - Ordered: every withdrawal that becomes PAID and pays out to a bank account (domain `paysToBank`)
//    gets a payment order (settlement/public.ts `paymentOrderItems`) among the items of the commit that
//    debits it: POST /v1/withdrawals paid at once, and the staff approval of a PENDING_REVIEW one. The
//    order's id derives from the withdrawal (one order per withdrawal, whatever the retries). No bank
//    PAYMENT account serving the branch: 422 POLICY_VIOLATION, nothing is paid. `afterCommit` (the send
//    to the payment worker) runs after the commit, never on a replay; a lost send is re-sent by the
//    settlement sweeper.
//  - The result (planWithdrawalPaymentResult, settlement calls it through withdrawals/public.ts with the
//    result it records): SETTLED → the withdrawal's payment SETTLED. FAILED → in the same commit: a
//    REVERSAL posting of the whole amount on the member's account (a closing withdrawal re-opens the
//    account in the status it had: the ledger re-opens a CLOSED account by a status change), the
//    withdrawal PAYMENT_FAILED with the bank's reason, its property/permit claim no longer counting, and
//    an archive record (action PAYMENT_FAILED, actor the bank). Every item is conditional on the
//    withdrawal still being PAID with that payment ORDERED, so a result applies exactly once.
//  - Refusals (thrown; settlement's commit answers the bank with them and records nothing):
//    an unknown withdrawal → 404 NOT_FOUND; one not awaiting this payment's result (another payment,
//    already SETTLED or FAILED, not PAID) → 409 INVALID_STATE. An account closed since by something other
//    than this withdrawal (a transfer out) takes the money back re-opened SEALED: it is never lost.
import { derivedId } from '../../../shared/ids.ts';
import { ACCOUNT_STATUS_CODES } from '../../../shared/policy.ts';
import { businessDate, instantOf } from '../../../shared/clock.ts';
import { sendAfterCommit } from '../../../shared/outbox.ts';
import { fail } from '../../../shared/errors.ts';
import { fenToYuan } from '../../../shared/money.ts';
import { ledgerWrite, mustGetAccount, type Account, type AccountWrite } from '../../../shared/ledger/ledger.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import type { Logger } from '../../../shared/log.ts';
import { paymentOrderItems, type PaymentResult } from '../../settlement/public.ts';
import {
  assertAwaitingResult,
  payeeNameOf,
  paysToBank,
  reversalPosting,
  withClaimPaymentFailed,
  withPaymentOrdered,
  withPaymentResult,
  type Actor,
  type Withdrawal,
} from '../domain/withdrawal.ts';
import { getClaim, getWithdrawal, putClaimItem, putWithdrawalPaymentResultItem } from '../store.ts';
import { archiveWithdrawal } from './archive.ts';

/** The payment order's id of a withdrawal (deterministic: one order per withdrawal). */
export const withdrawalPaymentIdOf = (withdrawalId: string) => derivedId('P', 'WITHDRAWAL', withdrawalId);

/** What ordering a withdrawal's payment adds to its commit: the record with `payment`, the order's items, the send. */
export interface WithdrawalPaymentPlan {
  withdrawal: Withdrawal;
  items: TxItem[];
  afterCommit?: () => Promise<void>;
}

/**
 * The withdrawal with its payment ordered and the order's items, when it pays out to a bank account;
 * otherwise the withdrawal as it is and no items. Throws 422 POLICY_VIOLATION when no bank's PAYMENT
 * account serves the account's branch.
 */
export async function orderWithdrawalPayment(w: Withdrawal, account: Pick<Account, 'name' | 'branch'>, at: Date): Promise<WithdrawalPaymentPlan> {
  if (!paysToBank(w)) return { withdrawal: w, items: [] };
  const paymentId = withdrawalPaymentIdOf(w.withdrawalId);
  const order = await paymentOrderItems({
    paymentId,
    branch: w.branch ?? account.branch,
    payeeName: payeeNameOf(w, account.name),
    payeeAccount: w.payeeBankAccount!,
    amountFen: w.amountFen,
    purpose: w.reason,
    reference: w.withdrawalId,
    source: { kind: 'WITHDRAWAL', id: w.withdrawalId },
    at,
  });
  return { withdrawal: withPaymentOrdered(w, paymentId), items: order.items, afterCommit: order.afterCommit };
}

/** Runs a committed order's send (not on a replay); a failure is only logged (the settlement sweeper re-sends the order). */
export const sendOrdered = (after: (() => Promise<void>) | undefined, replayed: boolean, log: Logger | undefined, withdrawalId: string): Promise<void> =>
  replayed ? Promise.resolve() : sendAfterCommit('withdrawal payment order', after, log, { withdrawalId });

export interface WithdrawalPaymentResultInput extends PaymentResult {
  withdrawalId: string;
  /** The bank that reported it (the archive's actor `bank:<code>`). */
  bankCode?: string;
}

/**
 * The items to commit with a bank's result of a withdrawal's payment (see the file's head). Throws
 * NOT_FOUND (no such withdrawal) or INVALID_STATE (not awaiting this result; the money cannot go back).
 */
export async function planWithdrawalPaymentResult(input: WithdrawalPaymentResultInput): Promise<TxItem[]> {
  const w = await getWithdrawal(input.withdrawalId);
  if (!w) fail('NOT_FOUND', `No withdrawal ${input.withdrawalId} for payment ${input.paymentId} / 付款对应的提取不存在`);
  const found = w!;
  assertAwaitingResult(found, input.paymentId);
  const bank: Actor = { sub: input.bankCode ? `bank:${input.bankCode}` : 'bank', role: 'bank' };
  const result: PaymentResult = { paymentId: input.paymentId, status: input.status, bankRef: input.bankRef, ...(input.failure ? { failure: input.failure } : {}), at: input.at };
  const next = withPaymentResult(found, result, bank);
  if (input.status === 'SETTLED') return [putWithdrawalPaymentResultItem(next, input.paymentId)];

  const today = businessDate(input.at);
  const [account, claim] = await Promise.all([mustGetAccount(found.accountNo), found.spending ? getClaim(found.spending) : undefined]);
  const write: AccountWrite = { account, postings: [reversalPosting(found, result, today)] };
  // the withdrawal that closed the account: the money comes back to it re-opened as it was
  if (found.closesAccount && account.status === 'CLOSED' && found.closedFrom) {
    write.changes = { status: found.closedFrom.status, statusCode: found.closedFrom.statusCode, closedOn: null };
  } else if (account.status === 'CLOSED') {
    // closed since by something else (a transfer out, a withdrawal in a partner's city): the money is
    // the member's all the same; it comes back to the account re-opened SEALED (封存), from which the
    // member withdraws or moves it again
    write.changes = { status: 'SEALED', statusCode: ACCOUNT_STATUS_CODES.SEALED, closedOn: null };
  }
  const ledger = ledgerWrite([write], { now: instantOf(input.at) });
  const items: TxItem[] = [...ledger.items, putWithdrawalPaymentResultItem({ ...next, entryIds: [...found.entryIds, ...ledger.entries.map((e) => e.entryId)] }, input.paymentId)];
  if (claim && claim.claims.some((c) => c.withdrawalId === found.withdrawalId)) items.push(putClaimItem(withClaimPaymentFailed(claim, found)));
  items.push(
    archiveWithdrawal(next, account, {
      action: 'PAYMENT_FAILED',
      actor: bank,
      at: input.at,
      submitted: { paymentId: input.paymentId, status: input.status, bankRef: input.bankRef, ...(input.failure ? { failure: input.failure } : {}) },
      decision: { status: next.status, failure: next.payment!.failure, reversal: ledger.entries.map((e) => ({ entryId: e.entryId, amount: fenToYuan(e.amountFen) })), ...(write.changes ? { accountReopened: write.changes.status } : {}) },
    }),
  );
  return items;
}
