// What other domains may use of the loans domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/loans/ is imported from outside it.
import type { TxItem } from '../../shared/ddb.ts';
import { flagsCheckItem, getFlags, getLoan, getSchedule, type BorrowerFlags } from './store.ts';

export type { BorrowerFlags } from './store.ts';

const plain = (f: BorrowerFlags): BorrowerFlags => (f.activeLoanId !== undefined ? { activeLoanId: f.activeLoanId, hasOverdueLoan: f.hasOverdueLoan } : { hasOverdueLoan: f.hasOverdueLoan });

/**
 * borrowerFlagsOf: the loans domain's flags of each account (a member with no loan: `{ hasOverdueLoan:
 * false }`): `activeLoanId` while the member (borrower or co-borrower) has an HPF loan outstanding,
 * `hasOverdueLoan` while that loan has an unresolved overdue installment. Read consistently.
 */
export async function borrowerFlagsOf(accountNos: readonly string[]): Promise<Map<string, BorrowerFlags>> {
  const stored = await getFlags(accountNos);
  return new Map([...stored].map(([no, f]) => [no, plain(f)]));
}

/** borrowerFlags: the flags of one account (see borrowerFlagsOf). */
export async function borrowerFlags(accountNo: string): Promise<BorrowerFlags> {
  return (await borrowerFlagsOf([accountNo])).get(accountNo)!;
}

/**
 * borrowerFlagsCheck: for the caller's ONE transaction, a ConditionCheck that the account's flags are
 * still `flags` (as read): a decision taken on them (say "no overdue loan") commits only if it still
 * holds. Not with planAccountRepayment's items for the same account: that plan guards the payer's
 * flags itself (DynamoDB refuses two operations on one item in a transaction).
 */
export const borrowerFlagsCheck = (accountNo: string, flags: BorrowerFlags): TxItem => flagsCheckItem(accountNo, flags);

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
 * loan. Returns the items (loan, schedule, loan totals, the ledger write with the payer's debit, the
 * parties' loan flags (written if they change, else the payer's checked as read), the LOAN archive record) for the caller's ONE transaction; commits nothing. Errors:
 * NOT_FOUND, INVALID_STATE, INSUFFICIENT_BALANCE, POLICY_VIOLATION (above the payoff amount).
 */
export { planAccountRepayment, type AccountRepaymentInput, type AccountRepaymentPlan } from './usecases/repayments.ts';

/** For ratings: the loan's parties and branch, and whether it was completed (disbursed: ACTIVE or CLOSED). */
export async function loanForRating(loanId: string): Promise<{ accountNos: string[]; branch: string; completed: boolean } | undefined> {
  const loan = await getLoan(loanId);
  if (!loan) return undefined;
  return { accountNos: [loan.accountNo, ...(loan.coBorrowerAccountNo ? [loan.coBorrowerAccountNo] : [])], branch: loan.branch, completed: loan.status === 'ACTIVE' || loan.status === 'CLOSED' };
}

/**
 * 跨省通办 (api.md v1.1 "Inter-provincial services, completed"), see usecases/partner.ts:
 * - loanFactsOfAccount(accountNo, today): the member's loans as borrower, ACTIVE and CLOSED (oldest
 *   application first), with the numbers of GET /v1/loans/{loanId} and the payoff amount of `today`
 *   (what a full prepayment that day pays; "0.00" once CLOSED);
 * - payoffCertificateOfAccount(accountNo, loanId?): the certificate GET
 *   /v1/loans/{loanId}/payoff-certificate states (same certificateNo), of `loanId` or of the loan
 *   closed last; undefined when the member (as borrower) has no such CLOSED loan;
 * - planPartnerFullPrepayment(input): one of our full prepayments (source BANK) of the payoff amount
 *   of `input.today`, planned for the caller's ONE transaction (AMOUNT_MISMATCH, NO_ACTIVE_LOAN);
 *   once committed, a plan of the same trackingId returns the same result with no items.
 */
export {
  loanFactsOfAccount,
  payoffCertificateOfAccount,
  planPartnerFullPrepayment,
  type LoanFacts,
  type PayoffCertificate,
  type PartnerFullPrepaymentInput,
  type PartnerFullPrepaymentPlan,
  type PartnerFullPrepaymentResult,
} from './usecases/partner.ts';
