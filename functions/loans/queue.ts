import { queueHandler } from '../../shared/queue.ts';
export const loanBatch = queueHandler('loans-batch-worker', async () => {});
