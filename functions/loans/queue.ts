// Queue entry point of the loans domain: pages of the daily run and of the annual repricing (loan-batch).
// The message's schema is here, at the queue's edge, with its type inferred (the use case that sends it
// imports the type): schemas.ts would bring the request schemas into the worker's bundle.
import * as z from '../../shared/zod.ts';
import { queueHandler } from '../../shared/queue.ts';
import { isoDate } from '../../shared/schemas.ts';
import { runDailySegment } from './usecases/batch.ts';
import { DUE_SEGMENTS } from './store.ts';

/** The message of the loan-batch queue: one page of one segment of the due-loan index. `daily` (default): the loans due by `date`; `reprice`: every active loan, for the year of `date`. */
export const dailySegmentMessage = z.strictObject({ task: z.optional(z.enum(['daily', 'reprice'])), segment: z.int().check(z.gte(0), z.lte(DUE_SEGMENTS - 1)), date: isoDate, cursor: z.optional(z.string()) });
export type DailySegmentMessage = z.infer<typeof dailySegmentMessage>;

export const loanBatch = queueHandler('loans-batch-worker', (body, _record, log) => runDailySegment(dailySegmentMessage.parse(body), log));
