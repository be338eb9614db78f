// The SQS behaviours the workflows rely on, on the real SQS-compatible server with the local
// runtime's poller (Lambda's event source mapping): retries, DLQ after maxReceiveCount, partial
// batch failures, FIFO groups held while in flight.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SQSClient, SendMessageCommand, ReceiveMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startQueues, startPoller, REGION, type LocalQueues } from '../../infra/local/sqs.ts';
import { freePort } from '../../infra/local/ports.ts';
import { queues } from '../../infra/topology.ts';

let q: LocalQueues;
let client: SQSClient;
const def = (name: string) => queues.find((x) => x.name === name)!;

beforeAll(async () => {
  q = await startQueues({ port: await freePort(), prefix: 'qtest', visibilityTimeoutSeconds: 1 });
  client = new SQSClient({ endpoint: q.endpoint, region: REGION, credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, useQueueUrlAsEndpoint: false });
});
afterAll(async () => {
  client.destroy();
  await q.stop();
});

const depth = async (url: string) => {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
};
const until = async (cond: () => Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('queues', () => {
  it('a failing message is retried maxReceiveCount times, then lands in the DLQ', async () => {
    const d = def('audit-segments');
    let calls = 0;
    const receiveCounts: string[] = [];
    const poller = startPoller(d, q.urls[d.name], q.endpoint, async (event: SQSEvent) => {
      calls++;
      receiveCounts.push(event.Records[0].attributes.ApproximateReceiveCount);
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await client.send(new SendMessageCommand({ QueueUrl: q.urls[d.name], MessageBody: JSON.stringify({ poison: true }) }));
    await until(async () => (await depth(q.dlqUrls[d.name])) === 1);
    await poller.stop();
    expect(calls).toBe(d.maxReceiveCount);
    expect(receiveCounts).toEqual(['1', '2', '3', '4', '5']);
    expect(await depth(q.urls[d.name])).toBe(0);
    const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: q.dlqUrls[d.name] }));
    expect(JSON.parse(dead.Messages![0].Body!)).toEqual({ poison: true });
  });

  it('a partial batch failure redelivers only the failed message', async () => {
    const d = { ...def('interprovincial-outbound'), batchSize: 10 };
    const seen: string[] = [];
    let failedOnce = false;
    // send first, then poll, so that all three arrive in one batch
    for (const n of ['a', 'b', 'c']) await client.send(new SendMessageCommand({ QueueUrl: q.urls[d.name], MessageBody: n }));
    const poller = startPoller(d, q.urls[d.name], q.endpoint, async (event: SQSEvent) => {
      const failures = [];
      for (const r of event.Records) {
        seen.push(r.body);
        if (r.body === 'b' && !failedOnce) {
          failedOnce = true;
          failures.push({ itemIdentifier: r.messageId });
        }
      }
      return { batchItemFailures: failures };
    });
    await until(async () => seen.length >= 4 && (await depth(q.urls[d.name])) === 0);
    await poller.stop();
    expect(seen.sort()).toEqual(['a', 'b', 'b', 'c']);
    expect(await depth(q.dlqUrls[d.name])).toBe(0);
  });

  it('FIFO: a message group is held while one of its messages is in flight, and order is kept', async () => {
    const d = { ...def('interprovincial-inbound'), batchSize: 1 };
    const url = q.urls[d.name];
    for (const [i, g] of [[1, 'm1'], [2, 'm1'], [3, 'm2'], [4, 'm1']] as const) {
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `${g}-${i}`, MessageGroupId: g, MessageDeduplicationId: `d${i}-${Date.now()}` }));
    }
    const order: string[] = [];
    const active = new Set<string>();
    let overlap = false;
    let failed = false;
    const poller = startPoller(
      d,
      url,
      q.endpoint,
      async (event: SQSEvent) => {
        const r = event.Records[0];
        const g = r.attributes.MessageGroupId!;
        if (active.has(g)) overlap = true;
        active.add(g);
        await new Promise((res) => setTimeout(res, 50));
        active.delete(g);
        if (r.body === 'm1-2' && !failed) {
          failed = true; // fail once: m1-4 must not overtake it
          return { batchItemFailures: [{ itemIdentifier: r.messageId }] };
        }
        order.push(r.body);
      },
      { concurrency: 3 },
    );
    await until(async () => order.length === 4);
    await poller.stop();
    expect(overlap).toBe(false);
    const m1 = order.filter((b) => b.startsWith('m1'));
    expect(m1).toEqual(['m1-1', 'm1-2', 'm1-4']);
    expect(order).toContain('m2-3');
  });
});
