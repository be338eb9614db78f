// Queue entry point of the loans domain: pages of the daily run (loan-batch).
import * as z from 'zod';
import { queueHandler } from '../../shared/queue.ts';
import { isoDate } from '../../shared/schemas.ts';
import { runDailySegment } from './service.ts';
import { DUE_SEGMENTS } from './store.ts';

const message = z.object({ segment: z.number().int().min(0).max(DUE_SEGMENTS - 1), date: isoDate, cursor: z.string().optional() }).strict();

export const loanBatch = queueHandler('loans-batch-worker', (body, _record, log) => runDailySegment(message.parse(body), log));
