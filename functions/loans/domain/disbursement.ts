// The payment of a disbursement (放款资金划付, api.md v1.1 "Banks and settlement"), pure: every
// disbursement pays the seller by a bank payment order; the bank's result is recorded on the loan once.
// A FAILED payment means the money never reached the seller: the disbursement's fund flow is reversed
// (a negative LOAN_DISBURSEMENT flow in the disbursement's period, so that the period's outflow counts
// only money a bank moved) and staff may pay again to a corrected payee (a new order, the flow again).
import { derivedId } from '../../../shared/ids.ts';
import { DomainError } from '../../../shared/errors.ts';
import type { Loan } from './loan.ts';
import type { PaymentResult } from '../../settlement/public.ts';

/** Who a disbursement pays: the seller (a person or a company) and their bank account. */
export interface LoanPayee {
  name: string;
  bankAccount: string;
}

export type DisbursementPaymentStatus = 'ORDERED' | 'SETTLED' | 'FAILED';

/** One payment order of a disbursement, as the loan records it. */
export interface DisbursementPayment {
  paymentId: string;
  status: DisbursementPaymentStatus;
  payee: LoanPayee;
  amountFen: number;
  orderedAt: string;
  bankRef?: string;
  settledAt?: string;
  failure?: { code: string; message: string };
  resultAt?: string;
}

/** The disbursement's payment: the current order, how many were made, and the failed ones before it. */
export interface LoanDisbursement {
  payee: LoanPayee;
  payment: DisbursementPayment;
  attempts: number;
  failedPayments?: DisbursementPayment[];
}

/** The payment order id of a loan's `attempt`-th disbursement payment (deterministic: a re-planned commit orders the same one). */
export const disbursementPaymentId = (loanId: string, attempt: number) => derivedId('P', 'LOAN_DISBURSEMENT', loanId, String(attempt));

/** The loan's first disbursement payment (ordered in the disbursement's own transaction). */
export function firstDisbursement(loan: Pick<Loan, 'loanId' | 'principalFen'>, payee: LoanPayee, orderedAt: string): LoanDisbursement {
  return { payee, attempts: 1, payment: { paymentId: disbursementPaymentId(loan.loanId, 1), status: 'ORDERED', payee, amountFen: loan.principalFen, orderedAt } };
}

/**
 * The loan after the bank's result of its current disbursement payment, and the fund flow to reverse
 * (fen, FAILED: the principal; SETTLED: 0). Undefined when the result changes nothing: not the loan's
 * current payment, or that payment already has its result (a second delivery).
 */
export function withPaymentResult(loan: Loan, r: PaymentResult): { loan: Loan; reversedFen: number } | undefined {
  const d = loan.disbursement;
  if (!d || d.payment.paymentId !== r.paymentId || d.payment.status !== 'ORDERED') return undefined;
  const payment: DisbursementPayment =
    r.status === 'SETTLED'
      ? { ...d.payment, status: 'SETTLED', bankRef: r.bankRef, settledAt: r.settledAt ?? r.at, resultAt: r.at }
      : { ...d.payment, status: 'FAILED', bankRef: r.bankRef, failure: r.failure ?? { code: 'UNKNOWN', message: 'The bank gave no reason / 银行未说明原因' }, resultAt: r.at };
  return { loan: { ...loan, disbursement: { ...d, payment } }, reversedFen: r.status === 'FAILED' ? d.payment.amountFen : 0 };
}

/**
 * A new payment of a disbursement whose payment FAILED, to `payee` (staff corrected it): 409
 * INVALID_STATE unless the loan was disbursed and its current payment failed.
 */
export function repaidDisbursement(loan: Loan, payee: LoanPayee, orderedAt: string): Loan {
  const d = loan.disbursement;
  if (!d || d.payment.status !== 'FAILED') {
    throw new DomainError('INVALID_STATE', `Loan ${loan.loanId}'s disbursement payment is ${d ? d.payment.status : 'absent'}; only a FAILED one is paid again / 仅划付失败的放款可重新划付`);
  }
  const attempts = d.attempts + 1;
  const payment: DisbursementPayment = { paymentId: disbursementPaymentId(loan.loanId, attempts), status: 'ORDERED', payee, amountFen: d.payment.amountFen, orderedAt };
  return { ...loan, disbursement: { payee, attempts, payment, failedPayments: [...(d.failedPayments ?? []), d.payment] } };
}

/** What GET /v1/loans/{loanId} shows of the payment (yuan strings are the view's business). */
export const paymentSummary = (p: DisbursementPayment) => ({
  paymentId: p.paymentId,
  status: p.status,
  ...(p.bankRef ? { bankRef: p.bankRef } : {}),
  ...(p.settledAt ? { settledAt: p.settledAt } : {}),
  ...(p.failure ? { failure: p.failure } : {}),
});
