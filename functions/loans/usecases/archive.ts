// The archive record (shared/archive.ts, subject LOAN) of an action on a loan, written in the
// action's own transaction, and the actor of the steps the system takes on its own.
import { archiveItem } from '../../../shared/archive.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import type { Loan } from '../domain/loan.ts';

export const SYSTEM_ACTOR = { sub: 'system:loans-daily', role: 'system' };

/** The archive record (subject LOAN) of an action on a loan, for the action's own transaction. */
export function loanArchive(loan: Pick<Loan, 'loanId' | 'branch' | 'accountNo' | 'coBorrowerAccountNo'>, action: string, actor: { sub: string; role: string }, submitted: unknown, decision?: unknown, dedupeKey?: string, at?: Date): TxItem {
  return archiveItem({
    ...(at ? { at: at.toISOString() } : {}),
    subjectType: 'LOAN',
    subjectId: loan.loanId,
    action,
    actor: { sub: actor.sub, role: actor.role },
    submitted,
    decision,
    owner: { branch: loan.branch, accountNo: loan.accountNo, accountNos: loan.coBorrowerAccountNo ? [loan.coBorrowerAccountNo] : [] },
    dedupeKey,
  });
}
