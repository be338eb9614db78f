// Queue entry points of the interprovincial domain: partners' requests (FIFO per member) and the
// signed POSTs to partners (callbacks, our transfer requests). A message without its id is poison:
// it fails until the DLQ takes it.
import { queueHandler } from '../../shared/queue.ts';
import { annotate } from '../../shared/trace.ts';
import { processRequest } from './usecases/inbound.ts';
import { deliver } from './usecases/relay.ts';
import { inboundRequestMessage, outboundDeliveryMessage } from './schemas.ts';

export const inboundRequest = queueHandler('interprovincial-inbound-worker', (body, _record, log) => {
  const { trackingId } = inboundRequestMessage.parse(body);
  annotate({ trackingId });
  return processRequest(trackingId, log.child({ trackingId }));
});
export const outboundMessage = queueHandler('interprovincial-outbound-worker', (body, _record, log) => {
  const { outboxId } = outboundDeliveryMessage.parse(body);
  annotate({ outboxId });
  return deliver(outboxId, log.child({ outboxId }));
});
