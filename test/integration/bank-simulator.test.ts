// The local bank simulator in isolation (no runtime, no DynamoDB): a fake center on node:http checks
// the bank's signature (X-HPF-Bank) on every result and notice; we sign our orders and statement
// calls with the bank's shared secret as the settlement adapter does.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readSignatureHeaders, signatureMatches, signedHeaders } from '../../shared/signature.ts';
import { businessDate } from '../../shared/clock.ts';
import { startBankSimulator, orderProblem, payeeFails, type BankSimulator } from '../../infra/local/bank-simulator.ts';

const CENTER = '330100';
const SECRET = 'bank-secret-for-the-simulator-test-0001';

interface Received { path: string; body: Record<string, unknown>; signedOk: boolean }
let center: Server;
let centerUrl = '';
let got: Received[] = [];
const failing = new Map<string, number>(); // paymentId → how many more of its results answer 503
let sim: BankSimulator;

const PAYMENT = '6222020000000002001';
const COLLECTION = '6222020000000001001';

beforeAll(async () => {
  center = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    const h = req.headers as Record<string, string | undefined>;
    const parts = readSignatureHeaders({ ...h, 'x-hpf-center': h['x-hpf-bank'] }, Math.floor(Date.now() / 1000));
    const signedOk = !!parts && h['x-hpf-bank'] === 'SIMBANK' && h['x-hpf-center'] === undefined
      && signatureMatches(SECRET, { method: req.method!, path: req.url!, timestamp: parts.timestamp, nonce: parts.nonce, rawBody: raw }, parts.signature);
    got.push({ path: req.url!, body: JSON.parse(raw), signedOk });
    const left = failing.get(String(JSON.parse(raw).paymentId)) ?? 0;
    if (left > 0) { failing.set(String(JSON.parse(raw).paymentId), left - 1); res.writeHead(503).end(); return; }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.url === '/v1/bank/notifications' ? { matched: null } : {}));
  });
  await new Promise<void>((r) => center.listen(0, '127.0.0.1', r));
  centerUrl = `http://127.0.0.1:${(center.address() as AddressInfo).port}`;
  sim = await startBankSimulator({ port: 0, centerUrl, centerCode: CENTER, sharedSecret: SECRET, settleDelayMs: 10, retryBaseMs: 10, maxDeliveryAttempts: 4 });
});
afterAll(async () => {
  await sim?.stop();
  await new Promise((r) => center.close(r));
});
beforeEach(() => { got = []; });

async function until<T>(f: () => T | undefined, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const order = (paymentId: string, over: Record<string, string> = {}) => ({ paymentId, fromAccountNo: PAYMENT, payeeName: '张三', payeeAccount: '6217000012345678', amount: '1200.50', purpose: 'WITHDRAWAL', reference: 'W-1', ...over });
async function call(method: string, pathAndQuery: string, body?: unknown, opts: { secret?: string; centerCode?: string; headers?: Record<string, string> } = {}) {
  const rawBody = body === undefined ? '' : JSON.stringify(body);
  const path = pathAndQuery.split('?')[0]!;
  const headers = opts.headers ?? signedHeaders(opts.centerCode ?? CENTER, opts.secret ?? SECRET, { method, path, rawBody });
  const res = await fetch(sim.url + pathAndQuery, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : rawBody });
  return { status: res.status, body: (await res.json()) as any };
}
const results = (paymentId: string) => got.filter((g) => g.path === '/v1/bank/payment-results' && g.body.paymentId === paymentId);

describe('bank simulator', () => {
  it('listens on loopback with its defaults', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.bankCode).toBe('SIMBANK');
    expect(sim.accounts.map((a) => a.purpose).sort()).toEqual(['COLLECTION', 'PAYMENT']);
  });

  it('settles a signed order once per paymentId, posts a bank-signed result and a DEBIT statement line', async () => {
    const first = await call('POST', '/v1/payments', order('P-OK-1'));
    expect(first).toEqual({ status: 202, body: { paymentId: 'P-OK-1', status: 'ACCEPTED' } });
    expect((await call('POST', '/v1/payments', order('P-OK-1'))).status).toBe(202);
    const [r] = await until(() => (results('P-OK-1').length ? results('P-OK-1') : undefined));
    expect(r!.signedOk).toBe(true);
    expect(r!.body).toMatchObject({ paymentId: 'P-OK-1', status: 'SETTLED', bankRef: expect.any(String), settledAt: expect.any(String) });
    expect(r!.body.failure).toBeUndefined();
    const p = sim.payments().filter((x) => x.order.paymentId === 'P-OK-1');
    expect(p).toHaveLength(1);
    expect(p[0]!.timesReceived).toBe(2);
    await new Promise((res) => setTimeout(res, 60));
    expect(results('P-OK-1')).toHaveLength(1); // one payment, one result
    const today = businessDate();
    const st = await call('GET', `/v1/statements?accountNo=${PAYMENT}&date=${today}`);
    expect(st.status).toBe(200);
    const lines = st.body.lines.filter((l: any) => l.reference === 'P-OK-1');
    expect(lines).toEqual([{ lineId: expect.any(String), direction: 'DEBIT', amount: '1200.50', reference: 'P-OK-1', valueDate: today }]);
    expect(sim.statement(PAYMENT, today).filter((l) => l.reference === 'P-OK-1')).toHaveLength(1);
    // the same paymentId for another order is refused, nothing more is paid
    expect((await call('POST', '/v1/payments', order('P-OK-1', { amount: '1.00' }))).status).toBe(409);
    expect(sim.statement(PAYMENT, today).filter((l) => l.reference === 'P-OK-1')).toHaveLength(1);
  });

  it('refuses unsigned, forged, replayed and foreign-center calls with 401, and records nothing', async () => {
    const body = order('P-SIG-1');
    expect((await call('POST', '/v1/payments', body, { headers: {} })).status).toBe(401);
    expect((await call('POST', '/v1/payments', body, { secret: 'not-the-bank-secret' })).body.error.code).toBe('SIGNATURE_INVALID');
    expect((await call('POST', '/v1/payments', body, { centerCode: '110000' })).status).toBe(401);
    const stale = signedHeaders(CENTER, SECRET, { method: 'POST', path: '/v1/payments', rawBody: JSON.stringify(body) }, Math.floor(Date.now() / 1000) - 301);
    expect((await call('POST', '/v1/payments', body, { headers: stale })).status).toBe(401);
    expect((await call('GET', `/v1/statements?accountNo=${PAYMENT}&date=${businessDate()}`, undefined, { headers: {} })).status).toBe(401);
    expect(sim.payments().some((p) => p.order.paymentId === 'P-SIG-1')).toBe(false);
    // a nonce is single use: the very same signed request twice → the second is 401
    const raw = JSON.stringify(order('P-SIG-2'));
    const h = signedHeaders(CENTER, SECRET, { method: 'POST', path: '/v1/payments', rawBody: raw });
    expect((await call('POST', '/v1/payments', order('P-SIG-2'), { headers: h })).status).toBe(202);
    expect((await call('POST', '/v1/payments', order('P-SIG-2'), { headers: h })).status).toBe(401);
  });

  it('validates the order: 400 for a bad body, 422 when fromAccountNo is not one of its PAYMENT accounts', async () => {
    expect((await call('POST', '/v1/payments', order('P-BAD-1', { amount: '-5' }))).status).toBe(400);
    expect((await call('POST', '/v1/payments', order('P-BAD-2', { payeeAccount: '12ab' }))).status).toBe(400);
    expect((await call('POST', '/v1/payments', order('P-BAD-3', { fromAccountNo: COLLECTION }))).status).toBe(422);
    expect((await call('POST', '/v1/payments', order('P-BAD-4', { fromAccountNo: '99999999' }))).status).toBe(422);
    expect(orderProblem({ ...order('x'), amount: '0.00' })).toBe('amount');
    expect(orderProblem(order('x'))).toBeUndefined();
    expect(payeeFails('62170000')).toBe(true);
    expect(payeeFails('6217000012345678')).toBe(false);
  });

  it('fails a payee account ending in 0000 with ACCOUNT_NOT_FOUND and no statement line', async () => {
    expect((await call('POST', '/v1/payments', order('P-FAIL-1', { payeeAccount: '6217000011110000' }))).status).toBe(202);
    const [r] = await until(() => (results('P-FAIL-1').length ? results('P-FAIL-1') : undefined));
    expect(r!.signedOk).toBe(true);
    expect(r!.body).toMatchObject({ paymentId: 'P-FAIL-1', status: 'FAILED', bankRef: expect.any(String), failure: { code: 'ACCOUNT_NOT_FOUND', message: expect.any(String) } });
    expect(sim.statement(PAYMENT, businessDate()).some((l) => l.reference === 'P-FAIL-1')).toBe(false);
    // delivered twice on demand (a bank that repeats itself)
    expect(await sim.resendResult('P-FAIL-1')).toBe(200);
    expect(results('P-FAIL-1').map((x) => x.body)).toEqual([r!.body, r!.body]);
  });

  it('retries a result with back-off until the center answers 2xx, and gives up after the bound', async () => {
    failing.set('P-RETRY-1', 2);
    await call('POST', '/v1/payments', order('P-RETRY-1'));
    await until(() => sim.payments().find((p) => p.order.paymentId === 'P-RETRY-1' && p.delivery.delivered));
    expect(results('P-RETRY-1')).toHaveLength(3);
    expect(results('P-RETRY-1').every((x) => x.signedOk)).toBe(true);
    expect(sim.payments().find((p) => p.order.paymentId === 'P-RETRY-1')!.delivery).toEqual({ attempts: 3, lastStatus: 200, delivered: true, gaveUp: false });

    failing.set('P-RETRY-2', 100);
    await call('POST', '/v1/payments', order('P-RETRY-2'));
    const p = await until(() => sim.payments().find((x) => x.order.paymentId === 'P-RETRY-2' && x.delivery.gaveUp));
    expect(p.delivery).toEqual({ attempts: 4, lastStatus: 503, delivered: false, gaveUp: true });
    expect(results('P-RETRY-2')).toHaveLength(4);
  });

  it('makes an arrival: a CREDIT line on the COLLECTION account and a bank-signed notice, answering what the center said', async () => {
    const a = await sim.arrive({ amount: '3000', reference: 'R-2024-0001', payerName: '某某科技有限公司', payerAccount: '6228480000000011' });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ matched: null });
    const notice = got.find((g) => g.path === '/v1/bank/notifications')!;
    expect(notice.signedOk).toBe(true);
    expect(notice.body).toEqual({ notificationId: a.notificationId, accountNo: COLLECTION, amount: '3000.00', valueDate: businessDate(), payerName: '某某科技有限公司', payerAccount: '6228480000000011', reference: 'R-2024-0001' });
    const st = await call('GET', `/v1/statements?accountNo=${COLLECTION}&date=${businessDate()}`);
    expect(st.body.lines.filter((l: any) => l.reference === a.notificationId)).toEqual([{ lineId: expect.any(String), direction: 'CREDIT', amount: '3000.00', reference: a.notificationId, valueDate: businessDate() }]);

    // the same through the HTTP control route, with a value date; a fresh notificationId each time
    const res = await fetch(`${sim.url}/_local/bank/arrivals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: '12.34', reference: 'L-9', payerName: '李四', payerAccount: '6228480000000022', valueDate: '2024-05-06' }) });
    const b = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(b).toMatchObject({ centerStatus: 200, centerAnswer: { matched: null } });
    expect(b.notificationId).not.toBe(a.notificationId);
    expect(sim.statement(COLLECTION, '2024-05-06')).toEqual([expect.objectContaining({ direction: 'CREDIT', amount: '12.34', reference: b.notificationId })]);
    const bad = await fetch(`${sim.url}/_local/bank/arrivals`, { method: 'POST', body: JSON.stringify({ accountNo: PAYMENT, amount: '1', reference: 'x', payerName: 'y', payerAccount: 'z' }) });
    expect(bad.status).toBe(422);
  });
});
