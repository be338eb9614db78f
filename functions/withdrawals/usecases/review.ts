// Staff decisions on a PENDING_REVIEW withdrawal (Art. 25: within 3 days), and the review queue.
// A decision re-reads the account and the claim, re-checks the rules (a FROZEN account is 409
// INVALID_STATE and nothing changes), and commits the debit, the record (which leaves the queue), the
// claim and the archive record in one transaction. An approved withdrawal paid to a bank account gets
// its payment order in that transaction too (usecases/payment.ts), sent after the commit.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { ledgerWrite, mustGetAccount } from '../../../shared/ledger/ledger.ts';
import { businessDate, instantOf, nowIso } from '../../../shared/clock.ts';
import { forbidden, notFound, staffCovers, type Caller } from '../../../shared/auth.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { approved, assertApprovable, payout, assertPending, rejected, withClaimDecided } from '../domain/withdrawal.ts';
import { reviewQueueView, withdrawalView } from '../domain/views.ts';
import { getClaim, getWithdrawal, listReviewQueue, putClaimItem, putWithdrawalItem } from '../store.ts';
import { borrowerFlags, borrowerFlagsCheck } from '../../loans/public.ts';
import type { Logger } from '../../../shared/log.ts';
import { actorOf, archiveWithdrawal } from './archive.ts';
import { orderWithdrawalPayment, sendOrdered } from './payment.ts';

/** A pending withdrawal with its account, for staff covering the account's branch (others: 404). */
async function pendingForStaff(caller: Caller, withdrawalId: string) {
  const w = await getWithdrawal(withdrawalId);
  if (!w) return notFound('Withdrawal');
  const [account, loanFlags, claim] = await Promise.all([mustGetAccount(w.accountNo), borrowerFlags(w.accountNo), w.spending ? getClaim(w.spending) : undefined]);
  if (!staffCovers(caller, account.branch)) return notFound('Withdrawal');
  return { w, account, loanFlags, claim };
}

/** POST /v1/withdrawals/{id}/approve: PENDING_REVIEW → PAID, debited now after re-checking the rules. */
export async function approveWithdrawal(caller: Caller, withdrawalId: string, note: string | undefined, idempotency: IdempotencyContext | undefined, log?: Logger) {
  let after: (() => Promise<void>) | undefined;
  const out = await commit({
    idempotency,
    plan: async () => {
      const { w, account, loanFlags, claim } = await pendingForStaff(caller, withdrawalId);
      assertApprovable(w, account, loanFlags, claim);
      const today = businessDate();
      const at = nowIso();
      const ledger = ledgerWrite([payout(account, w, today)]);
      const payment = await orderWithdrawalPayment(approved(w, actorOf(caller), at, today, ledger.entries.map((e) => e.entryId), note), account, instantOf(at));
      const next = payment.withdrawal;
      after = payment.afterCommit;
      // approved on the loan flags as read (no overdue loan): they must still hold at commit
      const items: TxItem[] = [...ledger.items, borrowerFlagsCheck(account.accountNo, loanFlags), ...payment.items, putWithdrawalItem(next, 'PENDING_REVIEW')];
      if (claim) items.push(putClaimItem(withClaimDecided(claim, next)));
      items.push(archiveWithdrawal(next, account, { action: 'APPROVE', actor: actorOf(caller), at, submitted: note === undefined ? {} : { note }, decision: { status: next.status, ...(note ? { note } : {}), ...(next.payment ? { paymentId: next.payment.paymentId } : {}) } }));
      return { items, body: withdrawalView(next) };
    },
  });
  await sendOrdered(after, out.replayed, log, withdrawalId);
  return out;
}

/** POST /v1/withdrawals/{id}/reject: PENDING_REVIEW → REJECTED with the reviewer's note. */
export function rejectWithdrawal(caller: Caller, withdrawalId: string, note: string, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    plan: async () => {
      const { w, account, claim } = await pendingForStaff(caller, withdrawalId);
      assertPending(w);
      const at = nowIso();
      const next = rejected(w, actorOf(caller), at, note);
      const items: TxItem[] = [putWithdrawalItem(next, 'PENDING_REVIEW')];
      if (claim) items.push(putClaimItem(withClaimDecided(claim, next)));
      items.push(archiveWithdrawal(next, account, { action: 'REJECT', actor: actorOf(caller), at, submitted: { note }, decision: { status: next.status, note, code: next.rejection?.code } }));
      return { items, body: withdrawalView(next) };
    },
  });
}

/**
 * GET /v1/withdrawals?status=PENDING_REVIEW&branch=: the review queue, oldest first. Staff of a
 * branch see their branch (asking for another → 403 FORBIDDEN); city staff (`*`) all, or one branch.
 */
export async function reviewQueue(caller: Caller, query: { branch?: string; limit: number; cursor?: string }) {
  if (caller.role !== 'staff' || !caller.branch) return forbidden();
  if (caller.branch !== '*' && query.branch !== undefined && query.branch !== caller.branch) forbidden('Staff see the review queue of their own branch only / 仅可查看本网点的待审核队列');
  const branch = caller.branch === '*' ? query.branch : caller.branch;
  const page = await listReviewQueue(branch, query.limit, query.cursor);
  const today = businessDate();
  return { items: page.items.map((w) => reviewQueueView(w, today)), nextCursor: page.nextCursor };
}
