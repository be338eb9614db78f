// Queue entry point: one page of one account segment of an audit run.
import * as z from '../../shared/zod.ts';
import { queueHandler } from '../../shared/queue.ts';
import { auditSegmentPage } from './audit.ts';

const message = z.strictObject({ runId: z.string().check(z.minLength(1)), segment: z.int().check(z.gte(0)), cursor: z.optional(z.string()) });

export const auditSegment = queueHandler('supervision-audit-worker', (body, _record, log) => auditSegmentPage(message.parse(body), log));
