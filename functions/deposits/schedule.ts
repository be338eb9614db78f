// Scheduled entry point of the deposits domain: the annual interest settlement (June 30) and the
// sweeper that re-drives remittances whose posting stalled.
import { scheduleHandler } from '../../shared/schedule.ts';
import { scheduledInterestRun } from './usecases/interest.ts';
import { sweepRemittances } from './usecases/remittances.ts';

export const handler = scheduleHandler('deposits-schedule', {
  'interest-settlement': async (_input, _log, { date }) => (await scheduledInterestRun(date)).body,
  'remittance-sweep': (_input, log) => sweepRemittances(log),
});
