// Sending to the topology's queues. The endpoint comes from AWS_ENDPOINT_URL_SQS locally.
import { SQSClient, SendMessageCommand, SendMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { queueUrl } from './config.ts';
import { tracer } from './trace.ts';

export const sqs = tracer.captureAWSv3Client(new SQSClient({ maxAttempts: 6, useQueueUrlAsEndpoint: false }));

export interface OutMessage {
  body: unknown;
  /** FIFO only. */
  groupId?: string;
  deduplicationId?: string;
  delaySeconds?: number;
}

export async function send(queue: string, ...messages: OutMessage[]): Promise<void> {
  const url = queueUrl(queue);
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    if (batch.length === 1) {
      const m = batch[0];
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(m.body), MessageGroupId: m.groupId, MessageDeduplicationId: m.deduplicationId, DelaySeconds: m.delaySeconds }));
      continue;
    }
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: batch.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m.body), MessageGroupId: m.groupId, MessageDeduplicationId: m.deduplicationId, DelaySeconds: m.delaySeconds })),
      }),
    );
    if (out.Failed?.length) throw new Error(`failed to send ${out.Failed.length} messages to ${queue}`);
  }
}

export async function queueDepth(queue: string): Promise<number> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl(queue), AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}
