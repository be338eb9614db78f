// Scheduled entry point: the daily audit and the daily indicator snapshot, each for the business
// date of the event (a late or repeated run does that day's work).
import { scheduleHandler } from '../../shared/schedule.ts';
import { startAuditRun } from './usecases/audit.ts';
import { snapshotIndicators } from './usecases/indicators.ts';

export const handler = scheduleHandler('supervision-schedule', {
  audit: async (_input, _log, { date }) => (await startAuditRun(`schedule:audit-daily:${date}`, undefined, date)).body,
  snapshot: (_input, _log, { date }) => snapshotIndicators(date),
});
