// API representations of loans (docs/api.md, Loans): yuan strings and percent strings, built once here.
import { fenToYuan, percentString } from '../../../shared/money.ts';
import { addDays } from '../../../shared/clock.ts';
import type { Loan } from './loan.ts';
import { payoffCertificateNo, type ScheduleRow } from './installments.ts';
import type { LoanQuote } from './quote.ts';
import { paymentSummary } from './disbursement.ts';

export function quoteView(q: LoanQuote) {
  return {
    maxAmount: fenToYuan(q.maxAmountFen),
    annualRate: percentString(q.annualRate),
    limits: {
      productCap: fenToYuan(q.limits.productCap),
      balanceMultiple: fenToYuan(q.limits.balanceMultiple),
      loanToValue: fenToYuan(q.limits.loanToValue),
      repaymentCapacity: fenToYuan(q.limits.repaymentCapacity),
    },
    binding: q.binding,
  };
}

export function loanView(l: Loan) {
  return {
    loanId: l.loanId,
    accountNo: l.accountNo,
    coBorrowerAccountNo: l.coBorrowerAccountNo ?? null,
    status: l.status,
    principal: fenToYuan(l.principalFen),
    outstandingPrincipal: fenToYuan(l.outstandingPrincipalFen),
    annualRate: percentString(l.annualRate),
    termMonths: l.termMonths,
    repaymentMethod: l.repaymentMethod,
    nextDue: l.nextDue ? { no: l.nextDue.no, dueDate: l.nextDue.dueDate, amount: fenToYuan(l.nextDue.amountFen) } : null,
    overdue: { installments: l.overdueInstallments, amount: fenToYuan(l.overdueAmountFen), penaltyInterest: fenToYuan(l.penaltyOutstandingFen) },
    riskClass: l.riskClass,
    offset: { enabled: l.offsetEnabled },
    appliedOn: l.appliedOn,
    decision: l.decision ? { decision: l.decision.decision, on: l.decision.on, late: l.decision.late } : null,
    disbursedOn: l.disbursedOn ?? null,
    payee: l.disbursement ? { name: l.disbursement.payee.name, bankAccount: l.disbursement.payee.bankAccount } : null,
    payment: l.disbursement ? paymentSummary(l.disbursement.payment) : null,
    dueDay: l.dueDay ?? null,
    paidOffOn: l.paidOffOn ?? null,
    maturityDate: l.maturityDate ?? null,
  };
}

/**
 * An item of a staff queue (GET /v1/loans?status=APPLIED|APPROVED): the loan as loanView states it,
 * its branch, the day its review is due (approvalDays after the application, Art. 26; a decision after
 * it is `late`) and whether an APPLIED loan has passed it.
 */
export const loanQueueView = (l: Loan, approvalDays: number, today: string) => {
  const reviewDueOn = addDays(l.appliedOn, approvalDays);
  return { ...loanView(l), branch: l.branch, reviewDueOn, overdueForReview: l.status === 'APPLIED' && today > reviewDueOn };
};

export function installmentView(r: ScheduleRow) {
  return {
    no: r.no,
    dueDate: r.dueDate,
    payment: fenToYuan(r.paymentFen),
    principal: fenToYuan(r.principalFen),
    interest: fenToYuan(r.interestFen),
    remainingPrincipal: fenToYuan(r.remainingPrincipalFen),
    status: r.status,
    paid: fenToYuan(r.paidFen),
    penaltyInterest: fenToYuan(r.penaltyFen),
    creditReportable: r.creditReportable,
    /** A deferred installment moved to the end of the schedule: the due date it had before. */
    deferredFrom: r.deferredFrom ?? null,
  };
}

/**
 * The payoff certificate (贷款结清证明) of a CLOSED loan, as the member's route and a partner center
 * (跨省通办 LOAN_PAYOFF_CERTIFICATE) both state it.
 */
export function payoffCertificateView(l: Loan) {
  return { certificateNo: l.certificateNo ?? payoffCertificateNo(l.loanId), loanId: l.loanId, principal: fenToYuan(l.principalFen), disbursedOn: l.disbursedOn!, closedOn: l.paidOffOn! };
}

/**
 * What the loans domain tells another center of a loan (跨省通办 BALANCE_INQUIRY, DEPOSIT_CERTIFICATE):
 * the numbers of loanView and the payoff amount of the day (0 once CLOSED).
 */
export function loanFactsView(l: Loan, payoffAmountTodayFen: number) {
  const v = loanView(l);
  return { loanId: v.loanId, status: v.status, principal: v.principal, outstandingPrincipal: v.outstandingPrincipal, payoffAmountToday: fenToYuan(payoffAmountTodayFen), overdueInstallments: v.overdue.installments };
}
