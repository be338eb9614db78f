// The API shapes of a withdrawal (api.md): money in yuan strings, the archive as recorded. Pure.
import { fenToYuan } from '../../../shared/money.ts';
import { overdueForReview, type LoanRepayment, type Withdrawal, type WithdrawalPayment } from './withdrawal.ts';

/** api.md v1.1: `payment: { paymentId, status }`, with the bank's reason when FAILED (the member sees why). */
const paymentView = (p: WithdrawalPayment) => ({ paymentId: p.paymentId, status: p.status, ...(p.status === 'FAILED' && p.failure ? { failure: p.failure } : {}) });

/** api.md v1.1: `loanRepayment: { loanId, installmentsPaid, principalPrepaid, outstandingPrincipal }` (and the loan's status). */
const loanRepaymentView = (r: LoanRepayment) => ({
  loanId: r.loanId,
  installmentsPaid: r.installmentsPaid,
  principalPrepaid: fenToYuan(r.principalPrepaidFen),
  outstandingPrincipal: fenToYuan(r.outstandingPrincipalFen),
  recalculation: r.recalculation,
  loanStatus: r.loanStatus,
  ...(r.remainingInstallments !== undefined ? { remainingInstallments: r.remainingInstallments } : {}),
  ...(r.nextDue !== undefined ? { nextDue: r.nextDue ? { no: r.nextDue.no, dueDate: r.nextDue.dueDate, amount: fenToYuan(r.nextDue.amountFen) } : null } : {}),
  ...(r.paidOffOn !== undefined ? { paidOffOn: r.paidOffOn } : {}),
});

/** The answer to an application (also what a replay returns). */
export const applicationView = (w: Withdrawal) => ({
  withdrawalId: w.withdrawalId,
  accountNo: w.accountNo,
  reason: w.reason,
  reasonCode: w.reasonCode,
  status: w.status,
  amount: fenToYuan(w.amountFen),
  // a closing withdrawal whose payment failed re-opened the account
  ...(w.closesAccount ? { interest: fenToYuan(w.interestFen), accountClosed: w.status !== 'PAYMENT_FAILED' } : {}),
  ...(w.status === 'PENDING_REVIEW' ? { reviewReasons: w.reviewReasons, reviewDueOn: w.reviewDueOn } : {}),
  ...(w.rejection ? { rejection: w.rejection } : {}),
  ...(w.loanRepayment ? { loanRepayment: loanRepaymentView(w.loanRepayment) } : {}),
  ...(w.payment ? { payment: paymentView(w.payment) } : {}),
});

/** The withdrawal with its electronic archive: evidence and its hash, submitter, decisions. */
export const withdrawalView = (w: Withdrawal) => ({
  ...applicationView(w),
  requested: w.requested.full ? { full: true } : { amount: fenToYuan(w.requested.amountFen) },
  ...(w.payeeBankAccount ? { payeeBankAccount: w.payeeBankAccount } : {}),
  ...(w.branch ? { branch: w.branch } : {}),
  ...(w.channel ? { channel: w.channel } : {}),
  evidence: w.evidence,
  evidenceSha256: w.evidenceSha256,
  submittedBy: w.submittedBy,
  submittedAt: w.submittedAt,
  reviewReasons: w.reviewReasons,
  ...(w.reviewDueOn ? { reviewDueOn: w.reviewDueOn } : {}),
  decisions: w.decisions,
  ...(w.paidOn ? { paidOn: w.paidOn } : {}),
  entryIds: w.entryIds,
});

/** An item of the review queue (GET /v1/withdrawals): the withdrawal, its due day and whether it has passed. */
export const reviewQueueView = (w: Withdrawal, today: string) => ({
  ...withdrawalView(w),
  reviewDueOn: w.reviewDueOn,
  overdueForReview: overdueForReview(w, today),
});

export type WithdrawalBody = ReturnType<typeof applicationView>;
