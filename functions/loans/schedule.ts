// Scheduled entry point of the loans domain ({ task }, the business date from the event):
// - `daily`: monthly offset (月对冲), overdue marking and penalty interest for the date;
// - `reprice` (January 1): existing loans take the rate in force on January 1 of the date's year.
import { scheduleHandler } from '../../shared/schedule.ts';
import { startDailyRun, startRepricingRun } from './usecases/batch.ts';

export const handler = scheduleHandler('loans-schedule', {
  daily: async (_event, _log, { date }) => startDailyRun(date),
  reprice: async (_event, _log, { date }) => startRepricingRun(date),
});
