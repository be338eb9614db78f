// Scheduled entry point of the loans domain ({ task, date?: 'YYYY-MM-DD' }, date default: today):
// - `daily`: monthly offset (月对冲), overdue marking and penalty interest for the date;
// - `reprice` (January 1): existing loans take the rate in force on January 1 of the date's year.
import * as z from '../../shared/zod.ts';
import { scheduleHandler } from '../../shared/schedule.ts';
import { isoDate } from '../../shared/schemas.ts';
import { businessDate } from '../../shared/clock.ts';
import { startDailyRun, startRepricingRun } from './service.ts';

const input = z.object({ task: z.enum(['daily', 'reprice']), date: z.optional(isoDate) });

export const handler = scheduleHandler('loans-schedule', {
  daily: async (event) => startDailyRun(input.parse(event).date ?? businessDate()),
  reprice: async (event) => startRepricingRun(input.parse(event).date ?? businessDate()),
});
