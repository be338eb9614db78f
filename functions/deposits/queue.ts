// Queue entry points of the deposits domain: remittance chunks and interest-settlement pages.
import * as z from 'zod';
import { queueHandler } from '../../shared/queue.ts';
import { postChunks } from './usecases/remittances.ts';
import { settleInterestPage } from './usecases/interest.ts';

const chunkMessage = z.object({
  remittanceId: z.string().min(1),
  chunkNos: z.array(z.number().int().positive()).min(1),
  terms: z.object({
    period: z.string().min(1),
    kind: z.enum(['REGULAR', 'BACKPAY']),
    valueDate: z.string().min(1),
    employerRatePercent: z.number().int(),
    employeeRatePercent: z.number().int(),
    chunkCount: z.number().int().positive(),
  }),
});
const pageMessage = z.object({ runId: z.string().min(1), year: z.number().int(), segment: z.number().int().min(0), cursor: z.string().optional() });

export const remittancePosting = queueHandler('deposits-remittance-worker', (body, _record, log) => postChunks(chunkMessage.parse(body), log));

export const interestSettlement = queueHandler('deposits-interest-worker', (body, record, log) =>
  settleInterestPage(pageMessage.parse(body), Number(record.attributes?.ApproximateReceiveCount ?? 1), log),
);
