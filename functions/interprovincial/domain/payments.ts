// The bank's result of a transfer out's payment to the receiving center (api.md v1.1 "Banks and
// settlement"), pure. The member's account is closed and the partner has credited the member: a
// FAILED payment is recorded with the bank's reason for staff to pay again (nothing is re-credited).
import type { PaymentResult } from '../../settlement/public.ts';
import type { InboundRequest, TransferPayment } from './types.ts';

/** The request with the result on its payment; undefined when it changes nothing (not its payment, or the payment already has a result). */
export function withTransferPaymentResult(r: InboundRequest, x: PaymentResult): InboundRequest | undefined {
  const p = r.payment;
  if (r.status !== 'COMPLETED' || !p || p.paymentId !== x.paymentId || p.status !== 'ORDERED') return undefined;
  const payment: TransferPayment =
    x.status === 'SETTLED'
      ? { ...p, status: 'SETTLED', bankRef: x.bankRef, settledAt: x.settledAt ?? x.at, resultAt: x.at }
      : { ...p, status: 'FAILED', bankRef: x.bankRef, failure: x.failure ?? { code: 'UNKNOWN', message: 'The bank gave no reason / 银行未说明原因' }, resultAt: x.at };
  return { ...r, payment, updatedAt: x.at };
}
