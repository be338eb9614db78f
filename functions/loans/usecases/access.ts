// Who may see or act on a loan, and on an account in a loan's use case: anything else is a 404 (a
// loan id or an account number reveals nothing).
import { staffCovers, notFound, type Caller } from '../../../shared/auth.ts';
import { getAccounts, type Account } from '../../../shared/ledger/ledger.ts';
import type { Loan } from '../domain/loan.ts';
import { getLoan } from '../store.ts';

const isParty = (caller: Caller, loan: Loan) => caller.role === 'member' && !!caller.accountNo && (caller.accountNo === loan.accountNo || caller.accountNo === loan.coBorrowerAccountNo);
const partyOrStaff = (caller: Caller, loan: Loan) => isParty(caller, loan) || staffCovers(caller, loan.branch);

/** The loan if `may` lets the caller have it; 404 otherwise (a loan id reveals nothing). */
async function loanIf(loanId: string, may: (loan: Loan) => boolean): Promise<Loan> {
  const loan = await getLoan(loanId);
  if (!loan || !may(loan)) return notFound('Loan');
  return loan;
}

/** The loan if the caller may see it (auditors, its parties, staff of its branch); 404 otherwise. */
export const visibleLoan = (caller: Caller, loanId: string) => loanIf(loanId, (loan) => caller.role === 'auditor' || partyOrStaff(caller, loan));

/** Staff acting on a loan of their branch (others: 404). */
export const staffLoan = (caller: Caller, loanId: string) => loanIf(loanId, (loan) => staffCovers(caller, loan.branch));

/** A party (member) or staff of its branch acting on a loan (others: 404). */
export const partyOrStaffLoan = (caller: Caller, loanId: string) => loanIf(loanId, (loan) => partyOrStaff(caller, loan));

/** The member's own account, or one of the staff's branch (others: 404). */
export async function ownAccount(caller: Caller, accountNo: string): Promise<Account> {
  const [account] = (await getAccounts([accountNo])).values();
  const mayUse = caller.role === 'member' ? caller.accountNo === accountNo : staffCovers(caller, account?.branch ?? '');
  if (!account || !mayUse) return notFound('Account');
  return account;
}
