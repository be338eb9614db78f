import { queueHandler } from '../../shared/queue.ts';
export const auditSegment = queueHandler('supervision-audit-worker', async () => {});
