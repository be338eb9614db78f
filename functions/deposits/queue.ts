import { queueHandler } from '../../shared/queue.ts';
export const remittancePosting = queueHandler('deposits-remittance-worker', async () => {});
export const interestSettlement = queueHandler('deposits-interest-worker', async () => {});
