// The loan's parties (the borrower and a co-borrower): their accounts, their loan flags and the
// writes a loan change makes to them.
import type { TxItem } from '../../../shared/ddb.ts';
import { getAccounts, type Account, type AccountWrite, type Posting } from '../../../shared/ledger/ledger.ts';
import type { Loan } from '../domain/loan.ts';
import { flagsCheckItem, flagsWriteItem, getFlags, type BorrowerFlags, type StoredFlags } from '../store.ts';

/** The loan's parties' accounts (borrower first); `payer`, when given, is used as read by the caller. */
export async function partyAccounts(loan: Loan, payer?: Account): Promise<Account[]> {
  const nos = partyNos(loan);
  const byNo = await getAccounts(nos.filter((no) => no !== payer?.accountNo));
  if (payer) byNo.set(payer.accountNo, payer);
  return nos.flatMap((no) => (byNo.get(no) ? [byNo.get(no)!] : []));
}

const partyNos = (loan: Pick<Loan, 'accountNo' | 'coBorrowerAccountNo'>) => [loan.accountNo, ...(loan.coBorrowerAccountNo ? [loan.coBorrowerAccountNo] : [])];

/** The loan flags of the loan's parties (borrower first), as stored. */
export async function partyFlags(loan: Pick<Loan, 'accountNo' | 'coBorrowerAccountNo'>): Promise<StoredFlags[]> {
  const nos = partyNos(loan);
  const byNo = await getFlags(nos);
  return nos.map((no) => byNo.get(no)!);
}

/** A party's flags after a loan change: activeLoanId until payoff, hasOverdueLoan while an installment is overdue. */
function flagsAfter(after: Loan, f: StoredFlags): BorrowerFlags {
  let activeLoanId = f.activeLoanId;
  if (after.status === 'ACTIVE') activeLoanId = after.loanId;
  if (after.status === 'CLOSED' && f.activeLoanId === after.loanId) activeLoanId = undefined;
  return { activeLoanId, hasOverdueLoan: after.overdueInstallments > 0 };
}

/**
 * The loans-table items of a loan change for the parties' flags (`flags` as read): a write per party
 * whose flags change; `guard` (an account number) also gets a check of its flags as read when they do
 * not change (the payer of an account repayment).
 */
export function flagItems(after: Loan, flags: readonly StoredFlags[], guard?: string): TxItem[] {
  const items: TxItem[] = [];
  for (const f of flags) {
    const next = flagsAfter(after, f);
    if (next.activeLoanId !== f.activeLoanId || next.hasOverdueLoan !== f.hasOverdueLoan) items.push(flagsWriteItem(f, next));
    else if (f.accountNo === guard) items.push(flagsCheckItem(f.accountNo, f));
  }
  return items;
}

/** The ledger writes of a loan change: the accounts (as read) that get postings. */
export function postingWrites(accounts: readonly Account[], postings: ReadonlyMap<string, Posting[]>): AccountWrite[] {
  return accounts.flatMap((account) => {
    const p = postings.get(account.accountNo) ?? [];
    return p.length ? [{ account, postings: p }] : [];
  });
}
