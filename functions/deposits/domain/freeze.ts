// Judicial and audit freezes (司法冻结, domain.md §2): who may freeze, which accounts can be frozen,
// and the account changes of a freeze and an unfreeze. Pure: refusals are DomainErrors.
import { fail } from '../../../shared/errors.ts';
import { forbidden, type Caller } from '../../../shared/auth.ts';
import type { Account, AccountFreeze } from '../../../shared/ledger/account.ts';
import type { AccountChanges } from '../../../shared/ledger/ledger.ts';

/** City-level staff (`branch: '*'`) and auditors; anyone else is refused (403). */
export function assertMayFreeze(caller: Caller) {
  if (caller.role === 'auditor') return;
  if (caller.role === 'staff' && caller.branch === '*') return;
  forbidden('Only city-level staff or auditors may freeze or unfreeze an account / 仅市级经办或审计人员可冻结、解冻账户');
}

export interface FreezeOrder {
  reason: string;
  authority: string;
  documentNo: string;
}

/** NORMAL or SEALED → FROZEN, keeping the order and the status to return to. CLOSED or FROZEN → 409. */
export function freezeChanges(account: Pick<Account, 'accountNo' | 'status'>, order: FreezeOrder, by: string, at: string): AccountChanges & { freeze: AccountFreeze } {
  if (account.status === 'FROZEN') fail('INVALID_STATE', `Account ${account.accountNo} is already FROZEN / 账户已冻结`);
  const previousStatus = account.status === 'NORMAL' || account.status === 'SEALED' ? account.status : fail('INVALID_STATE', `Account ${account.accountNo} is ${account.status}: it cannot be frozen / 账户状态不允许冻结`);
  return { status: 'FROZEN', freeze: { reason: order.reason, authority: order.authority, documentNo: order.documentNo, previousStatus, by, at } };
}

/** FROZEN → the status it had before the freeze; anything else → 409. */
export function unfreezeChanges(account: Pick<Account, 'accountNo' | 'status' | 'freeze'>): AccountChanges {
  if (account.status !== 'FROZEN') fail('INVALID_STATE', `Account ${account.accountNo} is ${account.status}, not FROZEN / 账户未冻结`);
  return { status: account.freeze?.previousStatus ?? 'NORMAL', freeze: null };
}
