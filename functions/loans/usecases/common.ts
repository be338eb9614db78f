// Pieces every loans use case shares: who may see or act on a loan, the parties' accounts and loan
// flags and their writes, the
// fund flows of money paid into a loan, the archive record of an action.
import { staffCovers, notFound, type Caller } from '../../../shared/auth.ts';
import { periodOf } from '../../../shared/clock.ts';
import { canonicalJson } from '../../../shared/canonical.ts';
import { policyOn } from '../../../shared/policy.ts';
import { archiveItem } from '../../../shared/archive.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { getAccounts, type Account, type AccountWrite, type FundFlow, type Posting } from '../../../shared/ledger/ledger.ts';
import type { Loan } from '../domain/loan.ts';
import type { Allocation, PenaltyRates } from '../domain/installments.ts';
import { LOAN_FLOWS } from '../domain/policy.ts';
import { flagsCheckItem, flagsWriteItem, getFlags, getLoan, type BorrowerFlags, type StoredFlags } from '../store.ts';

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

export async function ownAccount(caller: Caller, accountNo: string): Promise<Account> {
  const [account] = (await getAccounts([accountNo])).values();
  const mayUse = caller.role === 'member' ? caller.accountNo === accountNo : staffCovers(caller, account?.branch ?? '');
  if (!account || !mayUse) return notFound('Account');
  return account;
}

/** The loan's parties' accounts (borrower first); `payer`, when given, is used as read by the caller. */
export async function partyAccounts(loan: Loan, payer?: Account): Promise<Account[]> {
  const nos = partyNos(loan);
  const byNo = await getAccounts(nos.filter((no) => no !== payer?.accountNo));
  if (payer) byNo.set(payer.accountNo, payer);
  return nos.flatMap((no) => (byNo.get(no) ? [byNo.get(no)!] : []));
}

export const thresholds = (date: string) => {
  const p = policyOn(date).loans;
  return { consecutive: p.overdueFindingConsecutive, cumulative: p.overdueFindingCumulative };
};

export const penaltyRates = (loan: Loan, date: string): PenaltyRates => {
  const p = policyOn(date).loans;
  return { annualRate: loan.annualRate, multiplier: p.penaltyMultiplier, dayBasis: p.penaltyDayBasis };
};

/** Fund flows of money paid into the loan (principal, interest, penalty interest). */
export function paymentFlows(loan: Loan, paid: Allocation, date: string): FundFlow[] {
  const flows: FundFlow[] = [
    { kind: LOAN_FLOWS.PRINCIPAL, amountFen: paid.principalFen, branch: loan.branch, period: periodOf(date) },
    { kind: LOAN_FLOWS.INTEREST, amountFen: paid.interestFen, branch: loan.branch, period: periodOf(date) },
    { kind: LOAN_FLOWS.PENALTY, amountFen: paid.penaltyFen, branch: loan.branch, period: periodOf(date) },
  ];
  return flows.filter((f) => f.amountFen !== 0);
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

export const changed = (a: unknown, b: unknown) => canonicalJson(a) !== canonicalJson(b);

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
