// Queue entry points of the deposits domain: remittance chunks and interest-settlement pages.
//
// The messages' schemas are here, at the queue's edge, with their types inferred (the use cases that
// send them import the types): schemas.ts would bring the request schemas and the kernel's edge
// (shared/schemas.ts) into the workers' bundles (+8% minified for these two workers).
import * as z from '../../shared/zod.ts';
import { queueHandler } from '../../shared/queue.ts';
import { postChunks } from './usecases/remittances.ts';
import { settleInterestPage } from './usecases/interest.ts';

/**
 * What the posting worker needs of a settled remittance to post its chunks, carried in every chunk
 * message so that the worker does not read the remittance (these fields never change once it is settled).
 */
const postingTerms = z.object({
  period: z.string().check(z.minLength(1)),
  kind: z.enum(['REGULAR', 'BACKPAY']),
  /** The settlement date: the value date of every credit. */
  valueDate: z.string().check(z.minLength(1)),
  employerRatePercent: z.int(),
  employeeRatePercent: z.int(),
  chunkCount: z.int().check(z.positive()),
  /** The remitting unit (messages sent before it was carried lack it). */
  unitId: z.optional(z.string().check(z.minLength(1))),
});
export type PostingTerms = z.infer<typeof postingTerms>;

/** The message of the remittance-posting queue: a few chunks of one remittance, posted one transaction each (fewer messages, same idempotence). */
export const remittanceChunkMessage = z.object({ remittanceId: z.string().check(z.minLength(1)), chunkNos: z.array(z.int().check(z.positive())).check(z.minLength(1)), terms: postingTerms });
export type RemittanceChunkMessage = z.infer<typeof remittanceChunkMessage>;

/** The message of the interest-settlement queue: one page of one account segment of a run. */
export const interestPageMessage = z.object({ runId: z.string().check(z.minLength(1)), year: z.int(), segment: z.int().check(z.gte(0)), cursor: z.optional(z.string()) });
export type InterestPageMessage = z.infer<typeof interestPageMessage>;

export const remittancePosting = queueHandler('deposits-remittance-worker', (body, _record, log) => postChunks(remittanceChunkMessage.parse(body), log));

export const interestSettlement = queueHandler('deposits-interest-worker', (body, record, log) =>
  settleInterestPage(interestPageMessage.parse(body), Number(record.attributes?.ApproximateReceiveCount ?? 1), log),
);
