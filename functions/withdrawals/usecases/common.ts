// What the withdrawal use cases share: the actor of a caller, the ledger write of a payout, and the
// archive record (shared/archive.ts) every state change of a withdrawal writes in its own transaction.
import { archiveItem } from '../../../shared/archive.ts';
import { ACCOUNT_STATUS_CODES } from '../../../shared/policy.ts';
import type { Account, AccountWrite } from '../../../shared/ledger/ledger.ts';
import type { Caller } from '../../../shared/auth.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import type { Actor, Withdrawal } from '../domain/withdrawal.ts';

export const actorOf = (caller: Caller): Actor => ({ sub: caller.sub, role: caller.role });

/** The ledger write that pays a withdrawal; a closing one settles interest to `today` and closes the account. */
export function payout(account: Account, w: Pick<Withdrawal, 'withdrawalId' | 'reason' | 'amountFen' | 'closesAccount'>, today: string): AccountWrite {
  const postings = w.amountFen > 0 ? [{ amountFen: -w.amountFen, type: 'WITHDRAWAL' as const, ref: w.withdrawalId, valueDate: today, memo: w.reason }] : [];
  if (!w.closesAccount) return { account, postings };
  return { account, postings, settleInterestTo: today, changes: { status: 'CLOSED', statusCode: ACCOUNT_STATUS_CODES.CLOSED_WITHDRAWN, closedOn: today } };
}

/** The archive record of one action on a withdrawal (subject WITHDRAWAL, owner: the account and its branch). */
export function archiveWithdrawal(
  w: Withdrawal,
  account: Pick<Account, 'accountNo' | 'branch'>,
  a: { action: 'SUBMIT' | 'APPROVE' | 'REJECT' | 'PAYMENT_FAILED'; actor: Actor; at: string; submitted: unknown; decision: Record<string, unknown> },
): TxItem {
  return archiveItem({
    subjectType: 'WITHDRAWAL',
    subjectId: w.withdrawalId,
    action: a.action,
    actor: a.actor,
    at: a.at,
    submitted: a.submitted,
    decision: a.decision,
    owner: { branch: w.branch ?? account.branch, accountNo: account.accountNo },
  });
}
