// Queue entry point: one page of an audit run (of an account segment or of a fund-wide rule's part).
import { queueHandler } from '../../shared/queue.ts';
import { parseAuditMessage } from './schemas.ts';
import { auditPage } from './usecases/audit.ts';

export const auditSegment = queueHandler('supervision-audit-worker', (body, _record, log) => auditPage(parseAuditMessage(body), log));
