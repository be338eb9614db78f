// Queue entry point: one page of one account segment of an audit run.
import { queueHandler } from '../../shared/queue.ts';
import { auditSegmentMessage } from './schemas.ts';
import { auditSegmentPage } from './usecases/audit.ts';

export const auditSegment = queueHandler('supervision-audit-worker', (body, _record, log) => auditSegmentPage(auditSegmentMessage.parse(body), log));
