// Scheduled entry point of the settlement domain: the payment-order sweeper (every minute) re-sends
// orders whose send did not follow their commit or was not acknowledged, once their back-off passed;
// `reconciler` (its own function: it signs statement requests with a bank's secret, which the sweeper
// may not open) reconciles yesterday's bank statements (银行对账).
import { scheduleHandler } from '../../shared/schedule.ts';
import { sweepPayments } from './usecases/orders.ts';
import { reconcileYesterday } from './usecases/reconciliations.ts';

export const handler = scheduleHandler('settlement-schedule', {
  'sweep-payments': (_input, log) => sweepPayments(log),
});

export const reconciler = scheduleHandler('settlement-reconciler', {
  // daily bank reconciliation (银行对账) of the day before the event's business date
  reconcile: (_input, log, { date }) => reconcileYesterday(log, date),
});
