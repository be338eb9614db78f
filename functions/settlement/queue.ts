// Queue entry point of the settlement domain: payment orders to the banks (one message per paymentId).
import { queueHandler } from '../../shared/queue.ts';

export const paymentOrders = queueHandler('settlement-payment-worker', async (body) => {
  throw new Error(`payment orders are not sent yet: ${JSON.stringify(body).slice(0, 80)}`);
});
