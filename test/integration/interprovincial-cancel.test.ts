// TRANSFER_CANCEL both ways, in-process against DynamoDB Local (the interprovincial queue URLs of this
// process point at private queues, so the runtime's own pollers never process what is driven here).
//  - A partner cancels a TRANSFER_REQUEST it sent us: not accepted yet → the original REJECTED
//    CANCELLED (nothing moved, its callback says so) and the cancel COMPLETED; accepted →
//    ALREADY_ACCEPTED; a cancel racing the transfer's processing: exactly one wins; a cancel that
//    arrives before its request reserves the id (the request is refused later).
//  - Our staff cancel a transfer we requested: the request is withdrawn from the outbox if not sent,
//    a signed TRANSFER_CANCEL goes out, CANCELLED once the partner confirms, and no later COMPLETED
//    callback credits; a refused cancel leaves the transfer to complete as usual.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { SQSClient, CreateQueueCommand } from '@aws-sdk/client-sqs';
import { queueEnvVar } from '../../shared/config.ts';
import { createLogger } from '../../shared/log.ts';
import { DomainError } from '../../shared/errors.ts';
import { listEntries, mustGetAccount } from '../../shared/ledger/ledger.ts';
import { readArchive } from '../../shared/archive.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { registerPartner } from '../../functions/interprovincial/usecases/partners.ts';
import { processRequest, receiveRequest } from '../../functions/interprovincial/usecases/inbound.ts';
import { cancelTransfer, readTransfer, receiveCallback, requestTransfer } from '../../functions/interprovincial/usecases/transfers.ts';
import { deliver } from '../../functions/interprovincial/usecases/relay.ts';
import { getOutbox, getRequest, getRequestIdClaim, nonceItem } from '../../functions/interprovincial/store.ts';
import type { Caller } from '../../shared/auth.ts';
import type { CallbackBody, InboundBody } from '../../functions/interprovincial/schemas.ts';

const log = createLogger('test');
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const center = `CAN${randomBytes(4).toString('hex')}`;
const secret = `secret-${randomUUID()}`;
const received: { path: string; body: string }[] = [];
let server: Server;

beforeAll(async () => {
  const tag = randomBytes(4).toString('hex');
  process.env[queueEnvVar('interprovincial-inbound')] = (await sqs.send(new CreateQueueCommand({ QueueName: `itc-${tag}-inbound.fifo`, Attributes: { FifoQueue: 'true', VisibilityTimeout: '0' } }))).QueueUrl!;
  process.env[queueEnvVar('interprovincial-outbound')] = (await sqs.send(new CreateQueueCommand({ QueueName: `itc-${tag}-outbound`, Attributes: { VisibilityTimeout: '0' } }))).QueueUrl!;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ trackingId: `THEIR-${randomBytes(4).toString('hex')}`, status: 'RECEIVED' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await registerPartner(center, { name: 'Cancel partner', callbackUrl: `${base}/cb`, apiBaseUrl: base, settlementAccount: '6222020300009876543', sharedSecret: secret });
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  sqs.destroy();
});

const verified = (code = center) => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return { partner: { centerCode: code, name: 'x', callbackUrl: '' }, nonce: async () => nonceItem(code, randomBytes(16).toString('hex'), nowSeconds) };
};
const accept = async (body: InboundBody, code = center) => (await receiveRequest(verified(code), body, log)).body.trackingId;
const transferOutOf = async (accountNo: string) => (await listEntries(accountNo, 50)).items.filter((e) => e.type === 'TRANSFER_OUT');
const callbackOf = async (trackingId: string) => JSON.parse((await getOutbox(`CB-${trackingId}`))!.body);

describe('a partner cancels a transfer request it sent us', () => {
  it('not accepted yet: the original is REJECTED CANCELLED, the cancel COMPLETED, nothing moves; the transfer message later changes nothing', async () => {
    const a = await openFundedAccount({ balanceFen: 700_000, status: 'SEALED' });
    const requestId = `R-${randomUUID()}`;
    const original = await accept({ requestId, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
    const cancel = await accept({ requestId: `C-${randomUUID()}`, type: 'TRANSFER_CANCEL', payload: { requestId } });
    await processRequest(cancel, log);
    expect(await getRequest(cancel)).toMatchObject({ status: 'COMPLETED', result: { requestId, trackingId: original, status: 'CANCELLED' } });
    expect(await getRequest(original)).toMatchObject({ status: 'REJECTED', rejection: { code: 'CANCELLED' } });
    // both callbacks are in the outbox: the original's says CANCELLED
    expect(await callbackOf(original)).toMatchObject({ trackingId: original, requestId, type: 'TRANSFER_REQUEST', status: 'REJECTED', rejection: { code: 'CANCELLED' } });
    expect(await callbackOf(cancel)).toMatchObject({ trackingId: cancel, type: 'TRANSFER_CANCEL', status: 'COMPLETED' });
    // the transfer's own message arrives afterwards: nothing happens
    await processRequest(original, log);
    expect(await getRequest(original)).toMatchObject({ status: 'REJECTED', rejection: { code: 'CANCELLED' } });
    expect(await transferOutOf(a.accountNo)).toEqual([]);
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'SEALED', balanceFen: 700_000 });
    const archive = await readArchive('INTERPROVINCIAL_REQUEST', original);
    expect(archive.map((r) => r.action)).toEqual(['RECEIVED', 'REJECTED']);
    expect(archive[1]).toMatchObject({ actor: { sub: center, role: 'partner' }, decision: { status: 'REJECTED', code: 'CANCELLED' } });
  });

  it('already accepted: ALREADY_ACCEPTED, the transfer stands', async () => {
    const a = await openFundedAccount({ balanceFen: 300_000, status: 'SEALED' });
    const requestId = `R-${randomUUID()}`;
    const original = await accept({ requestId, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
    await processRequest(original, log);
    expect((await getRequest(original))?.status).toBe('COMPLETED');
    const cancel = await accept({ requestId: `C-${randomUUID()}`, type: 'TRANSFER_CANCEL', payload: { requestId } });
    await processRequest(cancel, log);
    expect(await getRequest(cancel)).toMatchObject({ status: 'REJECTED', rejection: { code: 'ALREADY_ACCEPTED' } });
    expect(await getRequest(original)).toMatchObject({ status: 'COMPLETED' });
    expect(await transferOutOf(a.accountNo)).toHaveLength(1);
  });

  it('a cancel racing the transfer\'s processing: exactly one wins, every time', async () => {
    for (let i = 0; i < 6; i++) {
      const a = await openFundedAccount({ balanceFen: 100_000 + i, status: 'SEALED' });
      const requestId = `R-${randomUUID()}`;
      const original = await accept({ requestId, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
      const cancel = await accept({ requestId: `C-${randomUUID()}`, type: 'TRANSFER_CANCEL', payload: { requestId } });
      await Promise.all(i % 2 ? [processRequest(original, log), processRequest(cancel, log)] : [processRequest(cancel, log), processRequest(original, log)]);
      const [o, c] = [await getRequest(original), await getRequest(cancel)];
      const out = await transferOutOf(a.accountNo);
      const account = await mustGetAccount(a.accountNo);
      if (c?.status === 'COMPLETED') {
        expect(o).toMatchObject({ status: 'REJECTED', rejection: { code: 'CANCELLED' } });
        expect(out).toEqual([]);
        expect(account).toMatchObject({ status: 'SEALED', balanceFen: 100_000 + i });
      } else {
        expect(c).toMatchObject({ status: 'REJECTED', rejection: { code: 'ALREADY_ACCEPTED' } });
        expect(o?.status).toBe('COMPLETED');
        expect(out).toHaveLength(1);
        expect(account).toMatchObject({ status: 'CLOSED', balanceFen: 0 });
      }
    }
  });

  it('a cancel that arrives before its request reserves the id: the request is refused when it comes (409), nothing moves', async () => {
    const a = await openFundedAccount({ balanceFen: 200_000, status: 'SEALED' });
    const requestId = `R-${randomUUID()}`;
    const cancel = await accept({ requestId: `C-${randomUUID()}`, type: 'TRANSFER_CANCEL', payload: { requestId } });
    await processRequest(cancel, log);
    expect(await getRequest(cancel)).toMatchObject({ status: 'COMPLETED', result: { requestId, status: 'CANCELLED' } });
    expect(await getRequestIdClaim(center, requestId)).toEqual({ cancelledBy: cancel });
    const late = await accept({ requestId, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(DomainError);
    expect((late as DomainError).code).toBe('INVALID_STATE');
    expect(await transferOutOf(a.accountNo)).toEqual([]);
    // a second cancel of the same id completes again, nothing else
    const again = await accept({ requestId: `C-${randomUUID()}`, type: 'TRANSFER_CANCEL', payload: { requestId } });
    await processRequest(again, log);
    expect(await getRequest(again)).toMatchObject({ status: 'COMPLETED', result: { requestId, status: 'CANCELLED' } });
  });

  it('another partner cannot cancel a partner\'s request; a request that is no transfer is not cancelled', async () => {
    const a = await openFundedAccount({ balanceFen: 200_000, status: 'SEALED' });
    const other = `CAO${randomBytes(4).toString('hex')}`;
    await registerPartner(other, { name: 'Other', callbackUrl: 'http://127.0.0.1:9/cb', sharedSecret: `secret-${randomUUID()}` });
    const requestId = `R-${randomUUID()}`;
    const original = await accept({ requestId, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } });
    const foreign = await accept({ requestId: `C-${randomUUID()}`, type: 'TRANSFER_CANCEL', payload: { requestId } }, other);
    await processRequest(foreign, log);
    expect((await getRequest(foreign))?.status).toBe('COMPLETED'); // the other partner never sent that id: nothing of ours is touched
    expect((await getRequest(original))?.status).toBe('RECEIVED');
    const notTransfer = await accept({ requestId: `C-${randomUUID()}`, type: 'TRANSFER_CANCEL', payload: { requestId } });
    await processRequest(notTransfer, log);
    expect(await getRequest(notTransfer)).toMatchObject({ status: 'REJECTED', rejection: { code: 'REQUEST_NOT_FOUND' } });
    expect((await getRequest(original))?.status).toBe('RECEIVED');
  });
});

describe('our staff cancel a transfer we requested', () => {
  const staff: Caller = { sub: 'clerk-city', role: 'staff', branch: '*' } as Caller;
  const request = async () => {
    const a = await openFundedAccount({ balanceFen: 10_000, status: 'SEALED' });
    const out = await requestTransfer(staff, { idNumber: a.idNumber, name: a.name, fromCenter: center, toAccountNo: a.accountNo }, undefined, log);
    return { a, transferId: out.body.transferId as string };
  };
  const callback = (body: Partial<CallbackBody> & Pick<CallbackBody, 'requestId' | 'type' | 'status'>) => receiveCallback(verified(), { trackingId: `THEIRS-${randomUUID()}`, ...body } as CallbackBody, log);

  it('before the request was sent: it is withdrawn (never sent), the cancel goes out, CANCELLED when confirmed; a later COMPLETED callback credits nothing (409)', async () => {
    const { a, transferId } = await request();
    const cancelled = await cancelTransfer(staff, transferId, undefined, log);
    expect(cancelled).toMatchObject({ status: 202, body: { transferId, status: 'CANCELLING' } });
    expect((await getOutbox(`TR-${transferId}`))?.status).toBe('WITHDRAWN');
    const before = received.length;
    await deliver(`TR-${transferId}`, log);
    expect(received.slice(before).filter((r) => r.body.includes(`"requestId":"${transferId}"`))).toEqual([]);
    await deliver(`TC-${transferId}`, log);
    const sent = received.slice(before).map((r) => JSON.parse(r.body));
    expect(sent).toContainEqual({ requestId: `${transferId}.CANCEL`, type: 'TRANSFER_CANCEL', payload: { requestId: transferId } });
    expect((await getOutbox(`TC-${transferId}`))?.status).toBe('DELIVERED');
    expect((await readTransfer(staff, transferId)).status).toBe('CANCELLING');
    // a second cancel: the same answer, nothing new
    expect((await cancelTransfer(staff, transferId, undefined, log)).body).toEqual({ transferId, status: 'CANCELLING' });

    expect(await callback({ requestId: `${transferId}.CANCEL`, type: 'TRANSFER_CANCEL', status: 'COMPLETED', result: { requestId: transferId, status: 'CANCELLED' } })).toMatchObject({ transferId, status: 'CANCELLED' });
    const late = await callback({ requestId: transferId, type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: { amount: '500.00' } }).catch((e: unknown) => e);
    expect((late as DomainError).code).toBe('INVALID_STATE');
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ balanceFen: 10_000 });
    expect((await listEntries(a.accountNo, 50)).items.filter((e) => e.type === 'TRANSFER_IN')).toEqual([]);
    // the original's REJECTED CANCELLED is accepted as well (200, no change)
    expect(await callback({ requestId: transferId, type: 'TRANSFER_REQUEST', status: 'REJECTED', rejection: { code: 'CANCELLED', message: 'x' } })).toMatchObject({ status: 'CANCELLED' });
    expect((await cancelTransfer(staff, transferId, undefined, log)).body).toEqual({ transferId, status: 'CANCELLED' });
    const archive = await readArchive('TRANSFER', transferId);
    expect(archive.map((r) => r.action)).toEqual(['CREATED', 'CANCEL_REQUESTED', 'CANCELLED']);
  });

  it('after the request was sent: the partner refuses (ALREADY_ACCEPTED), the transfer goes back to SENT and its COMPLETED callback credits once', async () => {
    const { a, transferId } = await request();
    await deliver(`TR-${transferId}`, log);
    expect((await readTransfer(staff, transferId)).status).toBe('SENT');
    await cancelTransfer(staff, transferId, undefined, log);
    expect((await getOutbox(`TR-${transferId}`))?.status).toBe('DELIVERED');
    expect(await callback({ requestId: `${transferId}.CANCEL`, type: 'TRANSFER_CANCEL', status: 'REJECTED', rejection: { code: 'ALREADY_ACCEPTED', message: 'accepted' } })).toMatchObject({
      status: 'SENT',
      cancelRejection: { code: 'ALREADY_ACCEPTED' },
    });
    expect(await callback({ requestId: transferId, type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: { amount: '500.00' } })).toMatchObject({ status: 'COMPLETED', amount: '500.00' });
    expect((await mustGetAccount(a.accountNo)).balanceFen).toBe(10_000 + 50_000);
    const refused = await cancelTransfer(staff, transferId, undefined, log).catch((e: unknown) => e);
    expect((refused as DomainError).code).toBe('INVALID_STATE');
  });

  it('while cancelling, the partner\'s COMPLETED callback still credits (it accepted first); REJECTED CANCELLED of the original confirms the cancel', async () => {
    const first = await request();
    await deliver(`TR-${first.transferId}`, log);
    await cancelTransfer(staff, first.transferId, undefined, log);
    expect(await callback({ requestId: first.transferId, type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: { amount: '1.00' } })).toMatchObject({ status: 'COMPLETED' });
    expect((await mustGetAccount(first.a.accountNo)).balanceFen).toBe(10_100);
    const second = await request();
    await deliver(`TR-${second.transferId}`, log);
    await cancelTransfer(staff, second.transferId, undefined, log);
    expect(await callback({ requestId: second.transferId, type: 'TRANSFER_REQUEST', status: 'REJECTED', rejection: { code: 'CANCELLED', message: 'x' } })).toMatchObject({ status: 'CANCELLED' });
  });

  it('staff of another branch get 404 as for an unknown transfer, a non-staff caller 403; staff of its branch may cancel', async () => {
    const { a, transferId } = await request();
    const other = await cancelTransfer({ sub: 'clerk-other', role: 'staff', branch: `${a.branch}-OTHER` } as Caller, transferId, undefined, log).catch((e: unknown) => e);
    expect((other as DomainError).code).toBe('NOT_FOUND');
    const auditor = await cancelTransfer({ sub: 'aud', role: 'auditor' } as Caller, transferId, undefined, log).catch((e: unknown) => e);
    expect((auditor as DomainError).code).toBe('FORBIDDEN');
    const own = await cancelTransfer({ sub: 'clerk-own', role: 'staff', branch: a.branch } as Caller, transferId, undefined, log);
    expect(own).toMatchObject({ status: 202, body: { transferId, status: 'CANCELLING' } });
    const unknown = await cancelTransfer(staff, 'X-NO-SUCH', undefined, log).catch((e: unknown) => e);
    expect((unknown as DomainError).code).toBe('NOT_FOUND');
  });
});
