// What other domains may use of the loans domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/loans/ is imported from outside it.
import type { TxItem } from '../../shared/ddb.ts';
import { bankRefRecord, flagsCheckItem, getFlags, getLoan, getSchedule, type BorrowerFlags } from './store.ts';
import { DomainError } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { moneyEventDate } from '../../shared/schemas.ts';
import { planBankRepayment, type BankRepaymentResult } from './usecases/repayments.ts';

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

/**
 * planPayoffCertificate(accountNo, loanId?, at) (issue 17): the certificate payoffCertificateOfAccount
 * gives, with its verification code: the same certificate GET /v1/loans/{loanId}/payoff-certificate
 * answers (the first ask issues the code, every later one answers it again), planned for the caller's
 * ONE transaction (call inside its commit plan); undefined when the member has no such CLOSED loan.
 */
export { planPayoffCertificate } from './usecases/certificate.ts';

export type RepaymentByBank =
  | { ok: true; items: TxItem[]; repayment: { loanId: string; installmentsPaid: number; amount: string } }
  | { ok: false; reason: 'NOT_FOUND' | 'INVALID_STATE' | 'POLICY_VIOLATION' };

/**
 * planRepaymentByBank (issue 16: a bank's arrival naming a loan): the bank repayment report of POST
 * /v1/loans/{loanId}/repayments (the same plan, usecases/repayments.ts planBankRepayment), planned
 * for the caller's ONE transaction, its refusals as values: NOT_FOUND; INVALID_STATE (the loan is not
 * ACTIVE); POLICY_VIOLATION (more than is payable on `paidOn`: paying ahead is a prepayment; nothing
 * due; `paidOn` in the future or before the policy history; amount not positive). `installmentsPaid`
 * counts the installments the money went to. `bankRef` is the bank's unique reference of the
 * movement (the notice's id): it applies once per loan, its record is among the items (conditional
 * put: the same items committed twice apply once), and a plan of a bankRef already applied answers
 * the same repayment with no items. Archive: LOAN BANK_REPAYMENT with `actor` (default
 * `{ sub: 'bank', role: 'bank' }`; the settlement domain passes `{ sub: 'bank:<bankCode>', role: 'bank' }`).
 */
export async function planRepaymentByBank(input: { loanId: string; amountFen: number; bankRef: string; paidOn: string; at: Date; actor?: { sub: string; role: string } }): Promise<RepaymentByBank> {
  const applied = await bankRefRecord(input.loanId, input.bankRef);
  if (applied) return { ok: true, items: [], repayment: appliedRepayment(applied as unknown as BankRepaymentResult) };
  const loan = await getLoan(input.loanId);
  if (!loan) return { ok: false, reason: 'NOT_FOUND' };
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0 || !moneyEventDate.safeParse(input.paidOn).success) return { ok: false, reason: 'POLICY_VIOLATION' };
  try {
    const p = await planBankRepayment(loan, { amountFen: input.amountFen, paidOn: input.paidOn, bankRef: input.bankRef }, input.actor ?? { sub: 'bank', role: 'bank' }, newId('P'), input.at);
    if (p.body.installments.length === 0) return { ok: false, reason: 'POLICY_VIOLATION' };
    return { ok: true, items: p.items, repayment: appliedRepayment(p.body) };
  } catch (err) {
    if (err instanceof DomainError && (err.code === 'INVALID_STATE' || err.code === 'POLICY_VIOLATION')) return { ok: false, reason: err.code };
    if (err instanceof DomainError && err.code === 'CONFLICT') {
      // applied between the first read and the plan (a concurrent commit of the same report)
      const again = await bankRefRecord(input.loanId, input.bankRef);
      if (again) return { ok: true, items: [], repayment: appliedRepayment(again as unknown as BankRepaymentResult) };
    }
    throw err;
  }
}

const appliedRepayment = (r: Pick<BankRepaymentResult, 'loanId' | 'installments' | 'amount'>) => ({ loanId: r.loanId, installmentsPaid: r.installments.length, amount: r.amount });

/**
 * planDisbursementPaymentResult (issue 16): the bank's result of a loan disbursement's payment order
 * (source { kind: 'LOAN_DISBURSEMENT', id: loanId }), planned for the settlement domain's ONE result
 * transaction: SETTLED → the loan's payment SETTLED; FAILED → the payment FAILED with the bank's reason
 * (GET /v1/loans/{loanId} `payment`) and the disbursement's fund flow reversed (a negative
 * LOAN_DISBURSEMENT flow in the disbursement's period); both with a LOAN archive record. Conditioned
 * on the loan's version as read: committed twice, it applies once (a re-plan finds it applied and
 * returns no items). No items for an unknown loan, another payment than the loan's current one, or a
 * payment that already has its result.
 */
export { planDisbursementPaymentResult, type DisbursementPaymentResultInput } from './usecases/disbursement-payments.ts';
