import { queueHandler } from '../../shared/queue.ts';
export const inboundRequest = queueHandler('interprovincial-inbound-worker', async () => {});
export const outboundMessage = queueHandler('interprovincial-outbound-worker', async () => {});
