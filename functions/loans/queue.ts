// Queue entry point of the loans domain: pages of the daily run and of the annual repricing (loan-batch).
import * as z from '../../shared/zod.ts';
import { queueHandler } from '../../shared/queue.ts';
import { isoDate } from '../../shared/schemas.ts';
import { runDailySegment } from './usecases/batch.ts';
import { DUE_SEGMENTS } from './store.ts';

const message = z.strictObject({ task: z.optional(z.enum(['daily', 'reprice'])), segment: z.int().check(z.gte(0), z.lte(DUE_SEGMENTS - 1)), date: isoDate, cursor: z.optional(z.string()) });

export const loanBatch = queueHandler('loans-batch-worker', (body, _record, log) => runDailySegment(message.parse(body), log));
