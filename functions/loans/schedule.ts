import { scheduleHandler } from '../../shared/schedule.ts';
export const handler = scheduleHandler('loans-schedule', {});
