// Two centers end to end (跨省转移接续): center A is the test runtime (330100); center B (110000) is a
// second local runtime started here as a child process. A member moved from A to B: B's staff ask A
// for the transfer; A settles interest, moves the whole balance out and closes the account (04); A's
// signed callback makes B credit the member exactly once. Money is conserved but for A's interest.
// Each center keeps the pair's secret sealed (shared/secrets.ts): signatures still verify both ways.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { baseUrl, adminToken, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { freePort } from '../../infra/local/ports.ts';
import { listEntries, mustGetAccount } from '../../shared/ledger/ledger.ts';
import { signedHeaders } from '../../shared/signature.ts';
import { yuanToFen } from '../../shared/money.ts';
import { getOutbox, getRequest, getRequestIdClaim } from '../../functions/interprovincial/store.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';

const A_CODE = '330100';
const B_CODE = '110000';
const secret = `pair-secret-${randomUUID()}`;
const root = fileURLToPath(new URL('../../', import.meta.url));
let child: ChildProcess;
let bUrl: string;

async function http(base: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const raw = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (raw !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST' && opts.token) headers['idempotency-key'] = randomUUID();
  const res = await fetch(`${base}${path}`, { method, headers, body: raw });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const until = async <T>(what: string, fn: () => Promise<T | undefined>, ms = 40_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

beforeAll(async () => {
  const port = await freePort();
  bUrl = `http://127.0.0.1:${port}`;
  // a clean environment: none of the test runtime's endpoints, tables, queues or center code
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TABLE_|QUEUE_|AWS_ENDPOINT_URL|HPF_)/.test(k)));
  child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--port', String(port), '--center', B_CODE, '--no-scheduler'], {
    cwd: root,
    env: { ...env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  await until(
    'center B to start',
    async () => {
      if (child.exitCode !== null) throw new Error(`center B exited: ${output}`);
      const ok = await fetch(`${bUrl}/v1/health`).then((r) => r.ok, () => false);
      return ok || undefined;
    },
    90_000,
  );
  // each center registers the other with the pair's shared secret
  for (const [self, partner, code] of [[baseUrl(), bUrl, B_CODE], [bUrl, baseUrl(), A_CODE]]) {
    const res = await http(self, 'PUT', `/v1/interprovincial/partners/${code}`, {
      token: await adminToken(),
      body: { name: `Center ${code}`, callbackUrl: `${partner}/v1/interprovincial/callbacks`, apiBaseUrl: partner, sharedSecret: secret },
    });
    expect([200, 201]).toContain(res.status);
  }
}, 120_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
});

describe('two centers', () => {
  it('A keeps B\'s shared secret sealed: its partner record holds no trace of it', async () => {
    const item = (await ddb.send(new GetCommand({ TableName: tableName('interprovincial'), Key: { pk: `PARTNER#${B_CODE}`, sk: 'PARTNER' }, ConsistentRead: true }))).Item;
    expect(item?.sealedSecret).toMatch(/^hpfs1\./);
    expect(item?.sharedSecret).toBeUndefined();
    for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]) expect(JSON.stringify(item)).not.toContain(form);
  });

  it('moves a member from A to B: A closes with 04, B is credited once with the amount that left A', async () => {
    const name = '李雷';
    const a = await openFundedAccount({ balanceFen: 3_456_789, status: 'SEALED', name, openedOn: '2025-01-01' });

    // center B: the member opens an account there (flexible employment)
    const bStaff = await staffToken();
    const opened = await http(bUrl, 'POST', '/v1/flexible-accounts', { token: bStaff, body: { idNumber: a.idNumber, name, monthlyBase: '8000', rate: '12' } });
    expect(opened.status).toBe(201);
    const bAccountNo: string = opened.body.accountNo;
    const bBefore = await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}`, { token: bStaff });
    expect(bBefore.status).toBe(200);

    const requested = await http(bUrl, 'POST', '/v1/interprovincial/transfer-requests', { token: bStaff, body: { idNumber: a.idNumber, name, fromCenter: A_CODE, toAccountNo: bAccountNo } });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ transferId: expect.any(String), status: 'QUEUED' });
    const transferId: string = requested.body.transferId;

    // A received B's request (requestId = the transferId) and completed it
    const claim = await until('A to receive the request', () => getRequestIdClaim(B_CODE, transferId));
    const atA = await until('A to complete the request', async () => {
      const r = await getRequest(claim.trackingId);
      return r?.status === 'COMPLETED' || r?.status === 'REJECTED' ? r : undefined;
    });
    expect(atA).toMatchObject({ status: 'COMPLETED', type: 'TRANSFER_REQUEST', partner: B_CODE });

    // B received A's callback and credited the member
    const atB = await until('B to complete the transfer', async () => {
      const t = await http(bUrl, 'GET', `/v1/interprovincial/transfer-requests/${transferId}`, { token: bStaff });
      return t.body?.status === 'COMPLETED' || t.body?.status === 'REJECTED' ? t.body : undefined;
    });
    expect(atB).toMatchObject({ transferId, status: 'COMPLETED', amount: atA.result!.amount, trackingId: claim.trackingId });
    await until('A to mark its callback delivered', async () => ((await getOutbox(`CB-${claim.trackingId}`))?.status === 'DELIVERED' ? true : undefined));

    // A: closed with code 04, balance 0; the amount out = balance + interest settled to today
    const aAfter = await mustGetAccount(a.accountNo);
    expect(aAfter).toMatchObject({ status: 'CLOSED', statusCode: '04', balanceFen: 0 });
    const aEntries = (await listEntries(a.accountNo, 50)).items;
    const interestFen = aEntries.filter((e) => e.type === 'INTEREST').reduce((s, e) => s + e.amountFen, 0);
    const outFen = -aEntries.filter((e) => e.type === 'TRANSFER_OUT').reduce((s, e) => s + e.amountFen, 0);
    expect(interestFen).toBeGreaterThan(0); // opened on 2025-01-01: interest has accrued
    expect(outFen).toBe(3_456_789 + interestFen);
    expect(atA.result).toEqual({ amount: (outFen / 100).toFixed(2), interest: (interestFen / 100).toFixed(2), closedOn: aAfter.closedOn });

    // B: credited exactly the amount that left A, as one TRANSFER_IN
    const bAfter = await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}`, { token: bStaff });
    const bEntries = await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}/entries`, { token: bStaff });
    const transfersIn = bEntries.body.items.filter((e: { type: string }) => e.type === 'TRANSFER_IN');
    expect(transfersIn).toHaveLength(1);
    expect(transfersIn[0].amount).toBe((outFen / 100).toFixed(2));

    // conservation: A's and B's money together grew by exactly the interest A paid
    const before = 3_456_789 + yuanToFen(bBefore.body.balance);
    const after = aAfter.balanceFen + yuanToFen(bAfter.body.balance);
    expect(after - before).toBe(interestFen);

    // A's callback resent (a new nonce): 200, and no second credit
    const callback = JSON.stringify({ trackingId: claim.trackingId, requestId: transferId, type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: atA.result });
    const path = '/v1/interprovincial/callbacks';
    const again = await http(bUrl, 'POST', path, { rawBody: callback, headers: signedHeaders(A_CODE, secret, { method: 'POST', path, rawBody: callback }) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ transferId, status: 'COMPLETED' });
    const bFinal = await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}`, { token: bStaff });
    expect(bFinal.body.balance).toBe(bAfter.body.balance);
  });

  it('B refuses a transfer request to an account of another person (422) or from an unknown center (422)', async () => {
    const bStaff = await staffToken();
    const idNumber = (await openFundedAccount({ status: 'SEALED' })).idNumber;
    const opened = await http(bUrl, 'POST', '/v1/flexible-accounts', { token: bStaff, body: { idNumber, name: '韩梅梅', monthlyBase: '8000', rate: '12' } });
    expect(opened.status).toBe(201);
    const other = await http(bUrl, 'POST', '/v1/interprovincial/transfer-requests', { token: bStaff, body: { idNumber, name: '韩梅', fromCenter: A_CODE, toAccountNo: opened.body.accountNo } });
    expect(other.status).toBe(422);
    const unknown = await http(bUrl, 'POST', '/v1/interprovincial/transfer-requests', { token: bStaff, body: { idNumber, name: '韩梅梅', fromCenter: `X${randomBytes(3).toString('hex')}`, toAccountNo: opened.body.accountNo } });
    expect(unknown.status).toBe(422);
  });
});
