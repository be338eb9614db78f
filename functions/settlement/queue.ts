// Queue entry point of the settlement domain: payment orders to the banks (one message per paymentId).
// A message without its paymentId is poison: it fails until the DLQ takes it.
import { queueHandler } from '../../shared/queue.ts';
import { annotate } from '../../shared/trace.ts';
import { deliverPayment } from './usecases/orders.ts';
import { paymentOrderMessage } from './schemas.ts';

export const paymentOrders = queueHandler('settlement-payment-worker', (body, _record, log) => {
  const { paymentId } = paymentOrderMessage.parse(body);
  annotate({ paymentId });
  return deliverPayment(paymentId, log.child({ paymentId }));
});
