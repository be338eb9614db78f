// The in-process SQS-compatible server (fauxqs) with the topology's queues and dead-letter queues,
// and the pollers that play Lambda's event source mapping: receive a batch, invoke the queue entry
// point with a real SQS event, delete what succeeded, leave the reported failures to reappear
// after the visibility timeout (and move to the DLQ after maxReceiveCount receives).
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { Server as NetServer, type ListenOptions } from 'node:net';
import { SQSClient, ReceiveMessageCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { queues, queuePhysicalName, dlqPhysicalName, type QueueDef } from '../topology.ts';

export const REGION = 'cn-north-1';

export interface LocalQueues {
  endpoint: string;
  urls: Record<string, string>;
  dlqUrls: Record<string, string>;
  server: FauxqsServer;
  stop(): Promise<void>;
}

/**
 * fauxqs 1.x always listens on 0.0.0.0 (its `host` option only names the host in queue URLs). While
 * it starts, a listen on the wildcard address is narrowed to `host` (a local runtime serves this
 * machine, not its network); every other listen passes unchanged.
 */
async function startFauxqsOn(host: string, options: Parameters<typeof startFauxqs>[0]): Promise<FauxqsServer> {
  const listen = NetServer.prototype.listen;
  NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
    const first = args[0] as ListenOptions | undefined;
    if (first && typeof first === 'object' && (first.host === '0.0.0.0' || first.host === '::')) first.host = host;
    return (listen as (...a: unknown[]) => NetServer).apply(this, args);
  } as typeof listen;
  try {
    return await startFauxqs(options);
  } finally {
    NetServer.prototype.listen = listen;
  }
}

export async function startQueues(opts: { port: number; prefix: string; visibilityTimeoutSeconds?: number; host?: string }): Promise<LocalQueues> {
  const server = await startFauxqsOn(opts.host ?? '127.0.0.1', { port: opts.port, logger: false, defaultRegion: REGION });
  const urls: Record<string, string> = {};
  const dlqUrls: Record<string, string> = {};
  for (const q of queues) {
    const fifo: Record<string, string> = q.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {};
    const dlq = server.createQueue(dlqPhysicalName(q, opts.prefix), { region: REGION, attributes: { ...fifo, MessageRetentionPeriod: '1209600' } });
    const main = server.createQueue(queuePhysicalName(q, opts.prefix), {
      region: REGION,
      attributes: {
        ...fifo,
        VisibilityTimeout: String(opts.visibilityTimeoutSeconds ?? q.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: q.maxReceiveCount }),
      },
    });
    urls[q.name] = main.queueUrl;
    dlqUrls[q.name] = dlq.queueUrl;
  }
  return { endpoint: `http://127.0.0.1:${server.port}`, urls, dlqUrls, server, stop: () => server.stop() };
}

export type QueueInvoke = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface Poller {
  stop(): Promise<void>;
  /** Resolves when the queue has been seen empty with nothing in flight by this poller. */
  idle(): Promise<void>;
}

/** One event-source mapping: `concurrency` loops receiving batches of `batchSize` from the queue. */
export function startPoller(q: QueueDef, url: string, endpoint: string, invoke: QueueInvoke, opts: { concurrency?: number; onError?: (e: unknown) => void } = {}): Poller {
  const client = new SQSClient({ endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });
  let running = true;
  let inFlight = 0;
  const arn = `arn:aws:sqs:${REGION}:000000000000:${url.split('/').pop()}`;
  const loop = async () => {
    while (running) {
      try {
        const out = await client.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: q.batchSize, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
        );
        const messages = out.Messages ?? [];
        if (!messages.length || !running) continue;
        inFlight++;
        try {
          const records: SQSRecord[] = messages.map((m) => ({
            messageId: m.MessageId!,
            receiptHandle: m.ReceiptHandle!,
            body: m.Body ?? '',
            attributes: {
              ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
              SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
              SenderId: m.Attributes?.SenderId ?? 'local',
              ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
              ...(m.Attributes?.MessageGroupId ? { MessageGroupId: m.Attributes.MessageGroupId } : {}),
              ...(m.Attributes?.MessageDeduplicationId ? { MessageDeduplicationId: m.Attributes.MessageDeduplicationId } : {}),
              ...(m.Attributes?.SequenceNumber ? { SequenceNumber: m.Attributes.SequenceNumber } : {}),
            },
            messageAttributes: {},
            md5OfBody: m.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: arn,
            awsRegion: REGION,
          }));
          let failed = new Set<string>();
          try {
            const res = await invoke({ Records: records });
            failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
          } catch (err) {
            // a thrown handler fails the whole batch, as in Lambda
            failed = new Set(records.map((r) => r.messageId));
            opts.onError?.(err);
          }
          const done = records.filter((r) => !failed.has(r.messageId));
          if (done.length) {
            await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
          }
        } finally {
          inFlight--;
        }
      } catch (err) {
        if (running) {
          opts.onError?.(err);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  };
  const loops = Array.from({ length: opts.concurrency ?? 1 }, loop);
  return {
    async stop() {
      running = false;
      await Promise.allSettled(loops);
      client.destroy();
    },
    async idle() {
      for (;;) {
        const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }));
        const a = out.Attributes ?? {};
        if (Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0) === 0 && inFlight === 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
