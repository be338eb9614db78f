// Queue entry points of the deposits domain: remittance chunks and interest-settlement pages.
import * as z from '../../shared/zod.ts';
import { queueHandler } from '../../shared/queue.ts';
import { postChunks } from './usecases/remittances.ts';
import { settleInterestPage } from './usecases/interest.ts';

const chunkMessage = z.object({
  remittanceId: z.string().check(z.minLength(1)),
  chunkNos: z.array(z.int().check(z.positive())).check(z.minLength(1)),
  terms: z.object({
    period: z.string().check(z.minLength(1)),
    kind: z.enum(['REGULAR', 'BACKPAY']),
    valueDate: z.string().check(z.minLength(1)),
    employerRatePercent: z.int(),
    employeeRatePercent: z.int(),
    chunkCount: z.int().check(z.positive()),
    unitId: z.optional(z.string().check(z.minLength(1))),
  }),
});
const pageMessage = z.object({ runId: z.string().check(z.minLength(1)), year: z.int(), segment: z.int().check(z.gte(0)), cursor: z.optional(z.string()) });

export const remittancePosting = queueHandler('deposits-remittance-worker', (body, _record, log) => postChunks(chunkMessage.parse(body), log));

export const interestSettlement = queueHandler('deposits-interest-worker', (body, record, log) =>
  settleInterestPage(pageMessage.parse(body), Number(record.attributes?.ApproximateReceiveCount ?? 1), log),
);
