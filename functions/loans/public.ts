// What other domains may use of the loans domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/loans/ is imported from outside it.
import { getLoan, getSchedule } from './store.ts';

/**
 * loanTotals: the loan control totals of the branches (贷款余额, 逾期本金, active loans), O(shards):
 * `overduePrincipalFen` is the unpaid principal of the installments currently OVERDUE.
 */
export { loanTotals, type LoanTotals } from './store.ts';

/** A loan and its schedule rows (schedule order) as the audit reads them (undefined when there is no such loan). */
export async function loanWithSchedule(loanId: string) {
  const loan = await getLoan(loanId);
  if (!loan) return undefined;
  return { loan, rows: await getSchedule(loanId) };
}

/**
 * planAccountRepayment: a repayment from the borrower's or co-borrower's account (the
 * HPF_LOAN_REPAYMENT withdrawal, api.md v1.1): overdue installments with penalty first, then
 * installments due, then the rest prepays principal with `recalculation`; the payoff amount closes the
 * loan. Returns the items (loan, schedule, loan totals, the ledger write with the payer's debit and the
 * parties' flags, the LOAN archive record) for the caller's ONE transaction; commits nothing. Errors:
 * NOT_FOUND, INVALID_STATE, INSUFFICIENT_BALANCE, POLICY_VIOLATION (above the payoff amount).
 */
export { planAccountRepayment, type AccountRepaymentInput, type AccountRepaymentPlan } from './usecases/repayments.ts';

/** For ratings: the loan's parties and branch, and whether it was completed (disbursed: ACTIVE or CLOSED). */
export async function loanForRating(loanId: string): Promise<{ accountNos: string[]; branch: string; completed: boolean } | undefined> {
  const loan = await getLoan(loanId);
  if (!loan) return undefined;
  return { accountNos: [loan.accountNo, ...(loan.coBorrowerAccountNo ? [loan.coBorrowerAccountNo] : [])], branch: loan.branch, completed: loan.status === 'ACTIVE' || loan.status === 'CLOSED' };
}
