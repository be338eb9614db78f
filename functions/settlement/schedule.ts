// Scheduled entry point of the settlement domain: the payment-order sweeper.
import { scheduleHandler } from '../../shared/schedule.ts';

export const handler = scheduleHandler('settlement-schedule', {
  'sweep-payments': async () => ({ swept: 0 }),
});
