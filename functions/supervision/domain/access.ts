// Who may read what in supervision (pure).
import type { Caller } from '../../../shared/auth.ts';

export interface ArchiveOwnerFacts {
  branch?: string;
  accountNo?: string;
  accountNos?: readonly string[];
  unitId?: string;
}

/**
 * The archive of a business record: auditors; staff of its branch (city level `*`: any); the member
 * whose account it names; the unit it names. Anyone else is answered as if it did not exist.
 */
export function canReadArchive(caller: Caller, owner: ArchiveOwnerFacts): boolean {
  switch (caller.role) {
    case 'auditor':
      return true;
    case 'staff':
      return caller.branch === '*' || (!!caller.branch && !!owner.branch && owner.branch === caller.branch);
    case 'member':
      return !!caller.accountNo && (owner.accountNo === caller.accountNo || (owner.accountNos ?? []).includes(caller.accountNo));
    case 'unit':
      return !!caller.unitId && owner.unitId === caller.unitId;
    default:
      return false;
  }
}

/** A rating of a transaction: only a member whose account it names. */
export const ownsTransaction = (caller: Caller, accountNos: readonly string[]) => caller.role === 'member' && !!caller.accountNo && accountNos.includes(caller.accountNo);

/**
 * Auditors read any branch or the city; city-level staff (`*`) too; branch staff only their own
 * branch. Deny by default: staff without a branch claim, and every other role, read nothing (a missing
 * claim is never the widest scope). `branch: undefined` = city-wide.
 */
export function indicatorScope(caller: Caller, requested: string | undefined): { branch: string | undefined } | { forbidden: true } {
  if (caller.role === 'auditor') return { branch: requested };
  if (caller.role !== 'staff' || !caller.branch) return { forbidden: true };
  if (caller.branch === '*') return { branch: requested };
  if (requested !== undefined && requested !== caller.branch) return { forbidden: true };
  return { branch: caller.branch };
}
