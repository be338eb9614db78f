// Withdrawal use cases: read, decide (domain), then one transaction through commit(): the ledger
// debit (and interest to date and closure for closing reasons), the withdrawal archive record, the
// property/permit claim and the idempotency record commit together or not at all.
import { createHash } from 'node:crypto';
import { commit, type IdempotencyContext } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, getAccount, type Account, type AccountWrite } from '../../shared/ledger/ledger.ts';
import { ACCOUNT_STATUS_CODES, policyOn } from '../../shared/policy.ts';
import { businessDate, nowIso } from '../../shared/clock.ts';
import { newId } from '../../shared/ids.ts';
import { canonicalJson } from '../../shared/http.ts';
import { canReadAccount, notFound, staffCovers, type Caller } from '../../shared/auth.ts';
import type { TxItem } from '../../shared/ddb.ts';
import {
  approved,
  assertApprovable,
  assertPending,
  decideApplication,
  newWithdrawal,
  rejected,
  spendingOf,
  withClaim,
  withClaimDecided,
  type Actor,
  type Withdrawal,
} from './domain/withdrawal.ts';
import { getClaim, getWithdrawal, listWithdrawalsOfAccount, putClaimItem, putWithdrawalItem } from './store.ts';
import { applicationView, withdrawalView } from './views.ts';
import type { ApplyWithdrawalBody } from './schemas.ts';

const actorOf = (caller: Caller): Actor => ({ sub: caller.sub, role: caller.role });

/** The ledger write that pays a withdrawal; a closing one settles interest to `today` and closes the account. */
function payout(account: Account, w: Pick<Withdrawal, 'withdrawalId' | 'reason' | 'amountFen' | 'closesAccount'>, today: string): AccountWrite {
  const postings = w.amountFen > 0 ? [{ amountFen: -w.amountFen, type: 'WITHDRAWAL' as const, ref: w.withdrawalId, valueDate: today, memo: w.reason }] : [];
  if (!w.closesAccount) return { account, postings };
  return { account, postings, settleInterestTo: today, changes: { status: 'CLOSED', statusCode: ACCOUNT_STATUS_CODES.CLOSED_WITHDRAWN, closedOn: today } };
}

/** POST /v1/withdrawals: a member withdraws from their own account. */
export async function applyWithdrawal(caller: Caller, body: ApplyWithdrawalBody, idempotency: IdempotencyContext | undefined) {
  if (caller.accountNo !== body.accountNo) notFound('Account');
  const withdrawalId = newId('W');
  const evidenceSha256 = createHash('sha256').update(canonicalJson(body.evidence)).digest('hex');
  const spending = spendingOf(body.reason, body.evidence);
  return commit({
    idempotency,
    plan: async () => {
      const today = businessDate();
      const policy = policyOn(today);
      const [account, claim] = await Promise.all([mustGetAccount(body.accountNo), spending ? getClaim(spending) : undefined]);
      const decision = decideApplication({ account, body, claim, today, policy });
      const ledger = decision.status === 'PAID' ? ledgerWrite([payout(account, { withdrawalId, reason: body.reason, ...decision }, today)]) : undefined;
      const w = newWithdrawal({
        withdrawalId,
        body,
        decision,
        evidenceSha256,
        submittedBy: actorOf(caller),
        at: nowIso(),
        today,
        policy,
        entryIds: ledger?.entries.map((e) => e.entryId) ?? [],
      });
      const items: TxItem[] = [...(ledger?.items ?? []), putWithdrawalItem(w)];
      if (spending) items.push(putClaimItem(withClaim(claim, spending, w, today)));
      return { items, body: applicationView(w) };
    },
  });
}

/** A pending withdrawal with its account, for staff covering the account's branch (others: 404). */
async function pendingForStaff(caller: Caller, withdrawalId: string) {
  const w = await getWithdrawal(withdrawalId);
  if (!w) return notFound('Withdrawal');
  const [account, claim] = await Promise.all([mustGetAccount(w.accountNo), w.spending ? getClaim(w.spending) : undefined]);
  if (!staffCovers(caller, account.branch)) return notFound('Withdrawal');
  return { w, account, claim };
}

/** POST /v1/withdrawals/{id}/approve: PENDING_REVIEW → PAID, debited now after re-checking the rules. */
export function approveWithdrawal(caller: Caller, withdrawalId: string, note: string | undefined, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    plan: async () => {
      const { w, account, claim } = await pendingForStaff(caller, withdrawalId);
      assertApprovable(w, account, claim);
      const today = businessDate();
      const ledger = ledgerWrite([payout(account, w, today)]);
      const next = approved(w, actorOf(caller), nowIso(), today, ledger.entries.map((e) => e.entryId), note);
      const items: TxItem[] = [...ledger.items, putWithdrawalItem(next, 'PENDING_REVIEW')];
      if (claim) items.push(putClaimItem(withClaimDecided(claim, next)));
      return { items, body: withdrawalView(next) };
    },
  });
}

/** POST /v1/withdrawals/{id}/reject: PENDING_REVIEW → REJECTED with the reviewer's note. */
export function rejectWithdrawal(caller: Caller, withdrawalId: string, note: string, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    plan: async () => {
      const { w, claim } = await pendingForStaff(caller, withdrawalId);
      assertPending(w);
      const next = rejected(w, actorOf(caller), nowIso(), note);
      const items: TxItem[] = [putWithdrawalItem(next, 'PENDING_REVIEW')];
      if (claim) items.push(putClaimItem(withClaimDecided(claim, next)));
      return { items, body: withdrawalView(next) };
    },
  });
}

/** May the caller read the account (owner, staff of its branch, auditor)? Others get 404, never 403. */
async function mayReadAccount(caller: Caller, accountNo: string): Promise<boolean> {
  const account = await getAccount(accountNo);
  return !!account && canReadAccount(caller, account);
}

/** GET /v1/withdrawals/{id}: the withdrawal with its archive. */
export async function readWithdrawal(caller: Caller, withdrawalId: string) {
  const w = await getWithdrawal(withdrawalId);
  if (!w || !(await mayReadAccount(caller, w.accountNo))) return notFound('Withdrawal');
  return withdrawalView(w);
}

/** GET /v1/accounts/{accountNo}/withdrawals: newest first, paginated. */
export async function listWithdrawals(caller: Caller, accountNo: string, limit: number, cursor: string | undefined) {
  if (!(await mayReadAccount(caller, accountNo))) notFound('Account');
  const page = await listWithdrawalsOfAccount(accountNo, limit, cursor);
  return { items: page.items.map(withdrawalView), nextCursor: page.nextCursor };
}
