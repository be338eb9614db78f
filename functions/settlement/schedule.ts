// Scheduled entry point of the settlement domain: the payment-order sweeper (every minute) re-sends
// orders whose send did not follow their commit or was not acknowledged, once their back-off passed.
import { scheduleHandler } from '../../shared/schedule.ts';
import { sweepPayments } from './usecases/orders.ts';

export const handler = scheduleHandler('settlement-schedule', {
  'sweep-payments': (_input, log) => sweepPayments(log),
});
