// The inter-provincial workers in-process against DynamoDB Local and the SQS server: a crash in the
// middle of a transfer out is retried and completes once, redelivery changes nothing, a callback that
// fails is retried until delivered exactly once, the sweeper relays what a crash left pending, and a
// poison message ends in the DLQ of the running runtime.
// The interprovincial queue URLs of this process point at private queues, so that the runtime's own
// pollers do not race the handlers driven here.
import { describe, it, expect, beforeAll, afterAll, afterEach, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, DeleteMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { queueEnvVar } from '../../shared/config.ts';
import { faults } from '../../shared/tx.ts';
import { createLogger } from '../../shared/log.ts';
import { signatureMatches } from '../../shared/signature.ts';
import { ledgerWrite, listEntries, mustGetAccount } from '../../shared/ledger/ledger.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { inboundRequest, outboundMessage } from '../../functions/interprovincial/queue.ts';
import { handler as scheduleHandler } from '../../functions/interprovincial/schedule.ts';
import { registerPartner } from '../../functions/interprovincial/usecases/partners.ts';
import { receiveRequest } from '../../functions/interprovincial/usecases/inbound.ts';
import { receiveCallback, requestTransfer } from '../../functions/interprovincial/usecases/transfers.ts';
import { transferForRating } from '../../functions/interprovincial/public.ts';
import { readArchive } from '../../shared/archive.ts';
import { commit } from '../../shared/tx.ts';
import { getOutbox, getRequest, nonceItem } from '../../functions/interprovincial/store.ts';
import type { InboundBody } from '../../functions/interprovincial/schemas.ts';

const log = createLogger('test');
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const center = `INT${randomBytes(4).toString('hex')}`;
const secret = `secret-${randomUUID()}`;
const runtimeInboundUrl = process.env[queueEnvVar('interprovincial-inbound')]!;
let inboundUrl: string;
let outboundUrl: string;

// the partner: answers with the next queued status (default 200)
const answers: number[] = [];
const received: { headers: Record<string, string>; body: string }[] = [];
let server: Server;

beforeAll(async () => {
  const tag = randomBytes(4).toString('hex');
  inboundUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `it-${tag}-inbound.fifo`, Attributes: { FifoQueue: 'true', VisibilityTimeout: '0' } }))).QueueUrl!;
  outboundUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `it-${tag}-outbound`, Attributes: { VisibilityTimeout: '0' } }))).QueueUrl!;
  process.env[queueEnvVar('interprovincial-inbound')] = inboundUrl;
  process.env[queueEnvVar('interprovincial-outbound')] = outboundUrl;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await registerPartner(center, { name: 'Integration partner', callbackUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/cb`, settlementAccount: '6222020300009876543', sharedSecret: secret });
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  sqs.destroy();
});
afterEach(() => {
  delete faults.beforeWrite;
  vi.useRealTimers();
});

/** Accepts a request as if its signature had been verified. */
const accept = async (body: InboundBody) => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const partner = { centerCode: center, name: 'x', callbackUrl: '', sharedSecret: secret, createdAt: '', updatedAt: '' };
  const out = await receiveRequest({ partner, nonce: async () => nonceItem(center, randomBytes(16).toString('hex'), nowSeconds) }, body, log);
  return out.body.trackingId;
};

/** The message about `id` on a private queue (others are consumed and dropped). */
async function take(url: string, id: string): Promise<Message> {
  for (let i = 0; i < 50; i++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }));
    let hit: Message | undefined;
    for (const m of out.Messages ?? []) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
      if (!hit && m.Body?.includes(id)) hit = m;
    }
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no message about ${id}`);
}

const event = (m: Message, receiveCount = '1'): SQSEvent =>
  ({
    Records: [
      {
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: { ApproximateReceiveCount: receiveCount, SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0', ...(m.Attributes?.MessageGroupId ? { MessageGroupId: m.Attributes.MessageGroupId } : {}) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn',
        awsRegion: 'cn-north-1',
      },
    ],
  }) as SQSEvent;

describe('inbound worker', () => {
  it('a crash before the transfer-out commit is retried and applies once; redelivery changes nothing', async () => {
    const a = await openFundedAccount({ balanceFen: 2_000_000, status: 'SEALED' });
    const trackingId = await accept({ requestId: `R-${randomUUID()}`, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
    const msg = await take(inboundUrl, trackingId);
    expect(msg.Attributes?.MessageDeduplicationId).toBe(trackingId);
    expect(msg.Attributes?.MessageGroupId).toBeTruthy();
    expect(msg.Attributes?.MessageGroupId).not.toContain(a.idNumber);

    let crashes = 0;
    faults.beforeWrite = (items) => {
      if (crashes === 0 && JSON.stringify(items).includes('TRANSFER_OUT')) {
        crashes++;
        throw new Error('worker crashed');
      }
    };
    const failed = await inboundRequest(event(msg), {} as never);
    expect(failed?.batchItemFailures).toEqual([{ itemIdentifier: msg.MessageId }]);
    expect((await getRequest(trackingId))?.status).toBe('PROCESSING');
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'SEALED', balanceFen: 2_000_000 });

    const ok = await inboundRequest(event(msg, '2'), {} as never);
    expect(ok?.batchItemFailures).toEqual([]);
    const done = await getRequest(trackingId);
    expect(done?.status).toBe('COMPLETED');
    const account = await mustGetAccount(a.accountNo);
    expect(account).toMatchObject({ status: 'CLOSED', statusCode: '04', balanceFen: 0 });

    await inboundRequest(event(msg, '3'), {} as never);
    expect((await mustGetAccount(a.accountNo)).version).toBe(account.version);
    const entries = (await listEntries(a.accountNo, 50)).items;
    expect(entries.filter((e) => e.type === 'TRANSFER_OUT')).toHaveLength(1);
    const interestFen = entries.filter((e) => e.type === 'INTEREST').reduce((s, e) => s + e.amountFen, 0);
    expect(done?.result).toMatchObject({ amount: ((2_000_000 + interestFen) / 100).toFixed(2), interest: (interestFen / 100).toFixed(2) });
    expect(crashes).toBe(1);

    // the archive: one record per state change (none for the crashed attempt nor the redeliveries), owned by the member's account
    const archive = await readArchive('INTERPROVINCIAL_REQUEST', trackingId);
    expect(archive.map((r) => [r.action, r.actor.sub, r.actor.role])).toEqual([
      ['RECEIVED', center, 'partner'],
      ['PROCESSING', 'system', 'system'],
      ['COMPLETED', 'system', 'system'],
    ]);
    for (const r of archive) expect(r.owner).toEqual({ accountNo: a.accountNo, branch: a.branch });
    expect(archive[0].submitted).toMatchObject({ type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
    expect(archive[2].decision).toMatchObject({ status: 'COMPLETED', result: { amount: done?.result?.amount } });
  });

  it('a transfer out of a FROZEN account is rejected and nothing moves; the rejection is archived', async () => {
    const a = await openFundedAccount({ balanceFen: 500_000, status: 'SEALED' });
    await commit({ plan: async () => ({ items: ledgerWrite([{ account: await mustGetAccount(a.accountNo), changes: { status: 'FROZEN', freeze: { reason: '司法冻结', authority: '法院', documentNo: 'D-1', previousStatus: 'SEALED', by: 'test', at: new Date().toISOString() } } }]).items, body: null }) });
    const frozen = await mustGetAccount(a.accountNo);
    const trackingId = await accept({ requestId: `R-${randomUUID()}`, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
    await inboundRequest(event(await take(inboundUrl, trackingId)), {} as never);
    expect(await getRequest(trackingId)).toMatchObject({ status: 'REJECTED', rejection: { code: 'ACCOUNT_FROZEN' } });
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'FROZEN', balanceFen: 500_000, version: frozen.version });
    expect((await readArchive('INTERPROVINCIAL_REQUEST', trackingId)).at(-1)).toMatchObject({ action: 'REJECTED', decision: { status: 'REJECTED', code: 'ACCOUNT_FROZEN' }, owner: { accountNo: a.accountNo, branch: a.branch } });
    await take(outboundUrl, `CB-${trackingId}`);
  });

  it('our transfer request: created by staff, sent, completed with the amount credited — each archived', async () => {
    const from = `INT${randomBytes(4).toString('hex')}`;
    const port = (server.address() as { port: number }).port;
    await registerPartner(from, { name: 'Holding partner', callbackUrl: `http://127.0.0.1:${port}/cb`, apiBaseUrl: `http://127.0.0.1:${port}`, settlementAccount: '6222020300009876543', sharedSecret: secret });
    const a = await openFundedAccount({ balanceFen: 10_000, branch: 'SC' });
    const clerk = { sub: 'clerk-archive', role: 'staff' as const, branch: 'SC' };
    const requested = await requestTransfer(clerk, { idNumber: a.idNumber, name: a.name, fromCenter: from, toAccountNo: a.accountNo }, undefined, log);
    const transferId = requested.body.transferId;
    await outboundMessage(event(await take(outboundUrl, `TR-${transferId}`)), {} as never);
    const partner = { centerCode: from, name: 'x', callbackUrl: '', sharedSecret: secret, createdAt: '', updatedAt: '' };
    const call = { partner, nonce: async () => nonceItem(from, randomBytes(16).toString('hex'), Math.floor(Date.now() / 1000)) };
    await receiveCallback(call, { trackingId: `PT-${randomUUID()}`, requestId: transferId, type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: { amount: '123.45' } }, log);
    expect((await mustGetAccount(a.accountNo)).balanceFen).toBe(10_000 + 12_345);
    const archive = await readArchive('TRANSFER', transferId);
    expect(archive.map((r) => [r.action, r.actor.sub, r.actor.role])).toEqual([
      ['CREATED', 'clerk-archive', 'staff'],
      ['SENT', 'system', 'system'],
      ['COMPLETED', from, 'partner'],
    ]);
    for (const r of archive) expect(r.owner).toEqual({ accountNo: a.accountNo, branch: 'SC' });
    expect(archive[2].decision).toEqual({ status: 'COMPLETED', amount: '123.45' });
    expect(await transferForRating(transferId)).toEqual({ accountNo: a.accountNo, branch: 'SC', completed: true });
    expect(await transferForRating('X-NO-SUCH-TRANSFER')).toBeUndefined();
  });

  it('a failing callback is retried until the partner answers 2xx, then delivered once and signed', async () => {
    const a = await openFundedAccount({ balanceFen: 100_00, status: 'SEALED' });
    const trackingId = await accept({ requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } });
    await inboundRequest(event(await take(inboundUrl, trackingId)), {} as never);
    const msg = await take(outboundUrl, `CB-${trackingId}`);

    answers.push(500);
    const before = received.length;
    expect((await outboundMessage(event(msg), {} as never))?.batchItemFailures).toHaveLength(1);
    expect((await getOutbox(`CB-${trackingId}`))?.status).toBe('PENDING');
    expect((await outboundMessage(event(msg, '2'), {} as never))?.batchItemFailures).toEqual([]);
    expect((await getOutbox(`CB-${trackingId}`))?.status).toBe('DELIVERED');
    await outboundMessage(event(msg, '3'), {} as never);
    const posts = received.slice(before);
    expect(posts).toHaveLength(2); // the failed attempt and the delivery; none after
    const last = posts[1];
    expect(JSON.parse(last.body)).toMatchObject({ trackingId, status: 'COMPLETED', type: 'BALANCE_INQUIRY', result: { balance: '100.00' } });
    expect(signatureMatches(secret, { method: 'POST', path: '/cb', timestamp: last.headers['x-hpf-timestamp'], nonce: last.headers['x-hpf-nonce'], rawBody: last.body }, last.headers['x-hpf-signature'])).toBe(true);
  });

  it('the sweeper relays a request and a callback whose message was lost after the commit', async () => {
    const a = await openFundedAccount({ balanceFen: 100_00, status: 'SEALED' });
    // the send after the commit fails (as a crash between the two would leave it)
    process.env[queueEnvVar('interprovincial-inbound')] = `${inboundUrl}-missing`;
    const lost = await accept({ requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } }).finally(() => {
      process.env[queueEnvVar('interprovincial-inbound')] = inboundUrl;
    });
    expect((await getRequest(lost))?.status).toBe('RECEIVED');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
    await scheduleHandler({ task: 'sweep-outbox', partner: center }, {} as never);
    const relayed = await take(inboundUrl, lost);
    expect((await getRequest(lost))?.sweeps).toBe(1);
    await inboundRequest(event(relayed), {} as never);
    expect((await getRequest(lost))?.status).toBe('COMPLETED');
    await take(outboundUrl, `CB-${lost}`); // the callback's message is lost too
    vi.setSystemTime(Date.now() + 31_000);
    await scheduleHandler({ task: 'sweep-outbox', partner: center }, {} as never);
    await outboundMessage(event(await take(outboundUrl, `CB-${lost}`)), {} as never);
    expect((await getOutbox(`CB-${lost}`))?.status).toBe('DELIVERED');
  });

  it('the sweeper re-sends a request whose message was received and lost (SQS FIFO deduplication does not swallow the re-send)', async () => {
    const a = await openFundedAccount({ balanceFen: 100_00, status: 'SEALED' });
    const trackingId = await accept({ requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } });
    const first = await take(inboundUrl, trackingId); // received, then lost (as a message that ended in the DLQ)
    expect(first.Attributes?.MessageDeduplicationId).toBe(trackingId);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
    await scheduleHandler({ task: 'sweep-outbox', partner: center }, {} as never);
    // within the queue's five-minute deduplication window of the first send: a new deduplication id
    const relayed = await take(inboundUrl, trackingId);
    expect(relayed.Attributes?.MessageDeduplicationId).toBe(`${trackingId}.1`);
    await inboundRequest(event(relayed), {} as never);
    expect((await getRequest(trackingId))?.status).toBe('COMPLETED');
  });

  it('a sweep for one partner leaves the other partners\' due records alone', async () => {
    const other = `INT${randomBytes(4).toString('hex')}`;
    await registerPartner(other, { name: 'Another partner', callbackUrl: 'http://127.0.0.1:9/cb', sharedSecret: secret });
    const a = await openFundedAccount({ balanceFen: 100_00, status: 'SEALED' });
    const theirs = await accept({ requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } });
    await take(inboundUrl, theirs);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
    expect(await scheduleHandler({ task: 'sweep-outbox', partner: other }, {} as never)).toEqual({ relayed: 0 });
    expect((await getRequest(theirs))?.sweeps).toBeUndefined();
    expect(await scheduleHandler({ task: 'sweep-outbox', partner: center }, {} as never)).toMatchObject({ relayed: expect.any(Number) });
    expect((await getRequest(theirs))?.sweeps).toBe(1);
    await take(inboundUrl, theirs);
  });

  it('a poison message ends in the dead-letter queue of the running runtime', async () => {
    const marker = `poison-${randomUUID()}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: runtimeInboundUrl, MessageBody: marker, MessageGroupId: marker, MessageDeduplicationId: marker }));
    const dlq = (JSON.parse(process.env.HPF_TEST_DLQ_URLS!) as Record<string, string>)['interprovincial-inbound'];
    const end = Date.now() + 30_000;
    let found = false;
    while (!found && Date.now() < end) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
      found = (out.Messages ?? []).some((m) => m.Body === marker);
    }
    expect(found).toBe(true);
  });
});
