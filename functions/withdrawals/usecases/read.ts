// Reads of withdrawals: one with its archive, an account's list, and the facts other domains use
// (functions/withdrawals/public.ts).
import { getAccount } from '../../../shared/ledger/ledger.ts';
import { canReadAccount, notFound, type Caller } from '../../../shared/auth.ts';
import { withdrawalView } from '../domain/views.ts';
import { getWithdrawal, listWithdrawalsOfAccount } from '../store.ts';

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

/** What the ratings route needs of a withdrawal: whose, which branch, and whether it completed (PAID). */
export async function withdrawalForRating(withdrawalId: string): Promise<{ accountNo: string; branch?: string; completed: boolean } | undefined> {
  const w = await getWithdrawal(withdrawalId);
  if (!w) return undefined;
  const branch = w.branch ?? (await getAccount(w.accountNo, false))?.branch;
  return { accountNo: w.accountNo, ...(branch ? { branch } : {}), completed: w.status === 'PAID' };
}
