// A handler whose queue the measure cannot tell (a parameter): the measure refuses it
// (test/infra/grants.test.ts).
import { send } from '../../../shared/sqs.ts';

const sendTo = (queue: string) => send(queue, { body: {} });

export const handler = async (event: { queue: string }) => sendTo(event.queue);
