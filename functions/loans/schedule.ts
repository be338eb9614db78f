// Scheduled entry point of the loans domain. Task `daily` ({ task: 'daily', date?: 'YYYY-MM-DD' }):
// monthly offset (月对冲), overdue marking and penalty interest for the date (default: today).
import * as z from '../../shared/zod.ts';
import { scheduleHandler } from '../../shared/schedule.ts';
import { isoDate } from '../../shared/schemas.ts';
import { businessDate } from '../../shared/clock.ts';
import { startDailyRun } from './service.ts';

const dailyInput = z.object({ task: z.literal('daily'), date: z.optional(isoDate) });

export const handler = scheduleHandler('loans-schedule', {
  daily: async (input) => startDailyRun(dailyInput.parse(input).date ?? businessDate()),
});
