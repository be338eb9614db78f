// Scheduled entry point of the interprovincial domain: the outbox sweeper (every minute). An input
// `partner` (a center code) sweeps only that partner's records: an operator relaying one partner once
// it is reachable again (the topology's schedule sweeps them all). A partner's purchase withdrawal
// under staff review is followed up by the same sweep (withdrawals partnerWithdrawalOutcome): its
// request completes or is rejected, with its callback, once staff decided. The sweeper works on instants
// (`dueAt`), not on a business date: the schedule's `date` is not used.
import { scheduleHandler } from '../../shared/schedule.ts';
import { sweep } from './usecases/relay.ts';
import { followReview } from './usecases/inbound.ts';

export const handler = scheduleHandler('interprovincial-schedule', {
  'sweep-outbox': (input, log) => sweep(log, { partner: typeof input.partner === 'string' && input.partner ? input.partner : undefined, followReview }),
});
