// The loan (贷款) and its lifecycle, pure (domain.md §4): eligibility with every failed reason,
// review, disbursement. No I/O; every policy number comes in through `LoanPolicy`.
import { DomainError, type FieldError } from '../../../shared/errors.ts';
import { daysBetween } from '../../../shared/clock.ts';
import { loanAnnualRate, type Policy } from '../../../shared/policy.ts';
import { productCapFen, type BorrowerCategory, type LimitKey, type LoanLocation, type QuoteInput } from './quote.ts';
import { monthlyDueDate, type RepaymentMethod } from './amortization.ts';
import type { RiskClass } from './penalty.ts';
import type { LoanDisbursement } from './disbursement.ts';

export type LoanStatus = 'APPLIED' | 'APPROVED' | 'REJECTED' | 'ACTIVE' | 'CLOSED';

export interface LoanDecision {
  decision: 'APPROVED' | 'REJECTED';
  by: string;
  on: string;
  /** Decided later than policy approvalDays after the application (Art. 26). */
  late: boolean;
  note?: string;
}

export interface LoanDeferral {
  fromPeriod: string;
  toPeriod: string;
  reason: string;
  by: string;
  at: string;
  installments: number[];
}

export interface Loan {
  loanId: string;
  accountNo: string;
  coBorrowerAccountNo?: string;
  /** The borrower's branch at application: the staff who review, disburse and collect. */
  branch: string;
  status: LoanStatus;
  principalFen: number;
  outstandingPrincipalFen: number;
  /** Annual rate, fraction string ('0.026'): the rate in force at application, then at each January 1. */
  annualRate: string;
  /** The last January 1 on which the loan took a new rate (domain.md §4; unset: never repriced). */
  repricedOn?: string;
  termMonths: number;
  repaymentMethod: RepaymentMethod;
  // the application (electronic archive)
  housePriceFen: number;
  firstHome: boolean;
  monthlyIncomeFen: number;
  borrowerCategory: BorrowerCategory;
  location: LoanLocation;
  quote: { maxAmountFen: number; binding: LimitKey };
  appliedOn: string;
  appliedBy: string;
  decision?: LoanDecision;
  disbursedOn?: string;
  disbursedBy?: string;
  /** The seller the disbursement pays and its payment order(s) (absent on loans disbursed before payments existed). */
  disbursement?: LoanDisbursement;
  dueDay?: number;
  /** Monthly offset (月对冲) agreement. */
  offsetEnabled: boolean;
  offsetChangedAt?: string;
  deferrals: LoanDeferral[];
  prepaidPrincipalFen: number;
  // overdue picture, kept by every write that changes the installments
  overdueInstallments: number;
  overdueAmountFen: number;
  overduePrincipalFen: number;
  penaltyOutstandingFen: number;
  consecutiveOverdue: number;
  cumulativeOverdue: number;
  riskClass: RiskClass;
  /** 3 consecutive or 6 cumulative overdue installments: supervision raises a finding. */
  overdueFinding: boolean;
  /** Earliest due date of an installment the daily run must look at (DUE or OVERDUE); none when settled. */
  nextActionDate?: string;
  /** The first unpaid installment and what is still owed on it. */
  nextDue?: { no: number; dueDate: string; amountFen: number };
  /** Due date of the last installment (a deferral moves it). */
  maturityDate?: string;
  /** The co-borrower's consent this application used (absent: none, or staff recorded a paper consent). */
  coBorrowerConsentId?: string;
  paidOffOn?: string;
  certificateNo?: string;
  /** Optimistic concurrency: every write to the loan or its schedule is conditioned on it. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface LoanPolicy {
  maxTermMonths: number;
  minConsecutiveDepositMonths: number;
  retirementAge: { M: number; F: number };
  maturityAgeOverRetirement: number;
  approvalDays: number;
}

/** What eligibility looks at of a personal account and of its loan flags (store.ts BORROWER#…/FLAGS). */
export interface ApplicantAccount {
  accountNo: string;
  status: string;
  activeLoanId?: string;
  hasOverdueLoan?: boolean;
}

export interface EligibilityInput {
  borrower: ApplicantAccount;
  coBorrower?: ApplicantAccount;
  /** Consecutive months deposited or deferred up to now (borrower). */
  consecutiveDepositMonths: number;
  birthDate: string;
  gender: 'M' | 'F';
  today: string;
  termMonths: number;
  amountFen: number;
  maxAmountFen: number;
}

export type IneligibilityReason =
  | 'ACCOUNT_NOT_NORMAL'
  | 'INSUFFICIENT_DEPOSIT_MONTHS'
  | 'ACTIVE_LOAN_EXISTS'
  | 'OVERDUE_LOAN'
  | 'TERM_TOO_LONG'
  | 'AGE_AT_MATURITY'
  | 'AMOUNT_ABOVE_MAXIMUM';

export interface Ineligibility extends FieldError {
  reason: IneligibilityReason;
}

/** Full years of age on `date`. */
export function ageOn(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return date.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

/** Every rule the application breaks (empty: eligible). */
export function ineligibilities(input: EligibilityInput, policy: LoanPolicy): Ineligibility[] {
  const out: Ineligibility[] = [];
  const add = (path: string, reason: IneligibilityReason, message: string) => out.push({ path, reason, message });
  const parties: [string, ApplicantAccount | undefined][] = [
    ['body.accountNo', input.borrower],
    ['body.coBorrowerAccountNo', input.coBorrower],
  ];
  for (const [path, acc] of parties) {
    if (!acc) continue;
    if (acc.status !== 'NORMAL') add(path, 'ACCOUNT_NOT_NORMAL', `Account ${acc.accountNo} is ${acc.status}, not NORMAL / 账户状态须为正常`);
  }
  if (input.consecutiveDepositMonths < policy.minConsecutiveDepositMonths) {
    add('body.accountNo', 'INSUFFICIENT_DEPOSIT_MONTHS', `${input.consecutiveDepositMonths} consecutive months deposited, at least ${policy.minConsecutiveDepositMonths} required / 连续缴存不足${policy.minConsecutiveDepositMonths}个月`);
  }
  for (const [path, acc] of parties) {
    if (acc?.activeLoanId) add(path, 'ACTIVE_LOAN_EXISTS', `Account ${acc.accountNo} has an active HPF loan / 已有未结清的公积金贷款`);
  }
  for (const [path, acc] of parties) {
    if (acc?.hasOverdueLoan) add(path, 'OVERDUE_LOAN', `Account ${acc.accountNo} has an unresolved overdue loan / 有未结清的逾期记录`);
  }
  if (input.termMonths > policy.maxTermMonths) add('body.termMonths', 'TERM_TOO_LONG', `Term ${input.termMonths} months exceeds ${policy.maxTermMonths} / 贷款期限超过上限`);
  const limitAge = policy.retirementAge[input.gender] + policy.maturityAgeOverRetirement;
  const ageAtMaturity = ageOn(input.birthDate, monthlyDueDate(input.today, input.termMonths));
  if (ageAtMaturity > limitAge) add('body.termMonths', 'AGE_AT_MATURITY', `Age at maturity ${ageAtMaturity} exceeds ${limitAge} / 贷款到期时年龄超过上限`);
  if (input.amountFen > input.maxAmountFen) add('body.amount', 'AMOUNT_ABOVE_MAXIMUM', `Amount exceeds the maximum loan ${input.maxAmountFen} fen / 申请金额超过可贷额度`);
  return out;
}

/** Review decision (approve / reject) of an APPLIED loan; `late` when beyond approvalDays after the application. */
export function decide(loan: Loan, decision: LoanDecision['decision'], by: string, on: string, policy: Pick<LoanPolicy, 'approvalDays'>, note?: string): Loan {
  assertStatus(loan, 'APPLIED');
  return { ...loan, status: decision, decision: { decision, by, on, late: daysBetween(loan.appliedOn, on) > policy.approvalDays, note } };
}

/** Refuses (409 INVALID_STATE) unless the loan is in one of the expected statuses. */
export function assertStatus(loan: Pick<Loan, 'loanId' | 'status'>, ...expected: LoanStatus[]) {
  if (!expected.includes(loan.status)) {
    throw new DomainError('INVALID_STATE', `Loan ${loan.loanId} is ${loan.status}; this needs ${expected.join(' or ')} / 贷款状态不允许此操作`);
  }
}

export interface LoanApplication {
  accountNo: string;
  coBorrowerAccountNo?: string;
  housePriceFen: number;
  firstHome: boolean;
  termMonths: number;
  monthlyIncomeFen: number;
  borrowerCategory: BorrowerCategory;
  location: LoanLocation;
  repaymentMethod: RepaymentMethod;
}

/** The quote's inputs from an application, the (combined) balance and the policy in force. */
export function quoteInput(app: LoanApplication, combinedBalanceFen: number, policy: Policy): QuoteInput {
  const p = policy.loans;
  return {
    productCapFen: productCapFen(app.borrowerCategory, app.location, p.productCapFen),
    coBorrower: !!app.coBorrowerAccountNo,
    capRaise: p.coBorrowerCapRaise,
    combinedBalanceFen,
    balanceMultiple: p.balanceMultiple,
    housePriceFen: app.housePriceFen,
    ltv: app.firstHome ? p.loanToValue.firstHome : p.loanToValue.secondHome,
    termMonths: app.termMonths,
    annualRate: loanAnnualRate(policy, app),
    monthlyIncomeFen: app.monthlyIncomeFen,
    incomeShare: p.incomeShare,
    method: app.repaymentMethod,
  };
}
