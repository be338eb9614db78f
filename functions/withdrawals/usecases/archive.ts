// The archive record (shared/archive.ts) every state change of a withdrawal writes in its own
// transaction, and the actor a caller is in it.
import { archiveItem } from '../../../shared/archive.ts';
import type { Account } from '../../../shared/ledger/ledger.ts';
import type { Caller } from '../../../shared/auth.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import type { Actor, Withdrawal } from '../domain/withdrawal.ts';

export const actorOf = (caller: Caller): Actor => ({ sub: caller.sub, role: caller.role });

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
