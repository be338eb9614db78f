// Queue entry point: one page of one account segment of an audit run.
import * as z from 'zod';
import { queueHandler } from '../../shared/queue.ts';
import { auditSegmentPage } from './audit.ts';

const message = z.object({ runId: z.string().min(1), segment: z.number().int().min(0), cursor: z.string().optional() }).strict();

export const auditSegment = queueHandler('supervision-audit-worker', (body, _record, log) => auditSegmentPage(message.parse(body), log));
