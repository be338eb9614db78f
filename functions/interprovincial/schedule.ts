// Scheduled entry point of the interprovincial domain: the outbox sweeper (every minute).
import { scheduleHandler } from '../../shared/schedule.ts';
import { sweep } from './usecases/relay.ts';

export const handler = scheduleHandler('interprovincial-schedule', { 'sweep-outbox': (_input, log) => sweep(log) });
