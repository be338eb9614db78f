// Scheduled entry point: the daily audit and the daily indicator snapshot.
import { scheduleHandler } from '../../shared/schedule.ts';
import { startAuditRun } from './audit.ts';
import { snapshotIndicators } from './indicators.ts';

export const handler = scheduleHandler('supervision-schedule', {
  audit: async () => (await startAuditRun('schedule:audit-daily')).body,
  snapshot: () => snapshotIndicators(),
});
