// Banks and settlement over HTTP (issue 16): the bank registry (secret sealed, never returned), bank-
// signed calls (X-HPF-Bank, nonce single-use), arrival notices (to a collection account; a remittance
// settled by its id and amount with no clerk; anything else to suspense; the same notice twice → the
// same answer, nothing twice), suspense assigned to a remittance or refunded by a payment order that
// a fake bank in this test receives signed by us, and the bank's results recorded once.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, adminToken, auditorToken, memberToken, staffToken, unitToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { pollUntil, registerUnit, uniqueBranch } from './deposits-fixtures.ts';
import { signedHeaders, signatureMatches } from '../../shared/signature.ts';
import { businessDate } from '../../shared/clock.ts';
import { readArchive } from '../../shared/archive.ts';

const digits = (n: number) => Array.from({ length: n }, (_x, i) => (i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join('');

interface Received {
  headers: IncomingMessage['headers'];
  path: string;
  raw: string;
  body: Record<string, unknown>;
}

/** A bank's payment endpoint: checks our signature (X-HPF-Center 330100, its secret) and answers 202; `refuse` answers 503 first. */
async function fakeBank(secret: string) {
  const received: Received[] = [];
  const forged: string[] = [];
  const state = { refuseNext: 0 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const h = req.headers as Record<string, string>;
      const ok =
        req.method === 'POST' &&
        req.url === '/bank/v1/payments' &&
        h['x-hpf-center'] === '330100' &&
        signatureMatches(secret, { method: 'POST', path: '/bank/v1/payments', timestamp: h['x-hpf-timestamp'], nonce: h['x-hpf-nonce'], rawBody: raw }, h['x-hpf-signature'] ?? '');
      if (!ok) {
        forged.push(raw);
        return res.writeHead(401).end();
      }
      if (state.refuseNext > 0) {
        state.refuseNext--;
        return res.writeHead(503).end();
      }
      received.push({ headers: req.headers, path: req.url!, raw, body: JSON.parse(raw) });
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/bank`, received, forged, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A call signed as bank `code` with `secret` (the partner scheme, X-HPF-Bank). */
function bankCall(code: string, secret: string, path: string, body: unknown, opts: { nonceHeaders?: Record<string, string> } = {}) {
  const rawBody = JSON.stringify(body);
  const h = opts.nonceHeaders ?? signedHeaders(code, secret, { method: 'POST', path, rawBody });
  const { 'x-hpf-center': who, ...rest } = h;
  return { res: call('POST', path, { rawBody, headers: { 'x-hpf-bank': who, ...rest } }), headers: h };
}

describe('banks and settlement (e2e)', () => {
  const code = `BK${randomBytes(4).toString('hex')}`;
  const secret = `bank-secret-${randomUUID()}`;
  const collection = digits(19);
  const payment = digits(19);
  const paymentBranch = `BANKONLY${randomBytes(3).toString('hex')}`;
  let bank: Awaited<ReturnType<typeof fakeBank>>;
  let admin: string;
  let city: string;
  let auditor: string;

  const notice = (over: Record<string, unknown> = {}) => ({
    notificationId: `N-${randomUUID()}`,
    accountNo: collection,
    amount: '1234.56',
    valueDate: businessDate(),
    payerName: '杭州某某科技有限公司',
    payerAccount: digits(16),
    reference: '货款 未注明',
    ...over,
  });
  const notify = (body: unknown) => bankCall(code, secret, '/v1/bank/notifications', body).res;
  const result = (body: unknown, as: { code: string; secret: string } = { code, secret }) => bankCall(as.code, as.secret, '/v1/bank/payment-results', body).res;
  const openItems = async () => {
    const items: any[] = [];
    let cursor = '';
    for (;;) {
      const r = await call('GET', `/v1/bank/suspense?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: city });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      items.push(...r.body.items);
      if (!r.body.nextCursor) return items;
      cursor = r.body.nextCursor;
    }
  };

  beforeAll(async () => {
    bank = await fakeBank(secret);
    [admin, city, auditor] = await Promise.all([adminToken(), staffToken('*'), auditorToken()]);
  });
  afterAll(async () => bank?.close());

  it('registers a bank: 201 then 200, the secret never returned; admin only; the body is strict', async () => {
    // its PAYMENT account serves a branch of its own: registered last, an account serving every branch
    // would pay every other test's withdrawals to this test's bank (its refunds leave it all the same)
    const body = { name: '测试委托银行', apiBaseUrl: bank.url, sharedSecret: secret, accounts: [{ accountNo: collection, purpose: 'COLLECTION' }, { accountNo: payment, purpose: 'PAYMENT', branches: [paymentBranch] }] };
    const created = await call('PUT', `/v1/banks/${code}`, { token: admin, body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ bankCode: code, name: '测试委托银行', apiBaseUrl: bank.url, accounts: [{ accountNo: collection, purpose: 'COLLECTION' }, { accountNo: payment, purpose: 'PAYMENT', branches: [paymentBranch] }] });
    expect(JSON.stringify(created.body)).not.toContain(secret);
    const updated = await call('PUT', `/v1/banks/${code}`, { token: admin, body });
    expect(updated.status).toBe(200);
    expect(JSON.stringify(updated.body)).not.toContain(secret);
    expect((await call('PUT', `/v1/banks/${code}`, { token: city, body })).status).toBe(403);
    expect((await call('PUT', `/v1/banks/${code}`, { token: admin, body: { ...body, extra: 1 } })).body.code).toBe('VALIDATION_FAILED');
    expect((await call('PUT', `/v1/banks/${code}`, { token: admin, body: { ...body, accounts: [] } })).body.code).toBe('VALIDATION_FAILED');
    expect((await call('PUT', `/v1/banks/${code}`, { token: admin, body: { ...body, sharedSecret: 'short' } })).body.code).toBe('VALIDATION_FAILED');
  });

  it('a bank call with a wrong secret, an unknown bank, no signature or a replayed nonce is 401 and records nothing', async () => {
    const n = notice();
    for (const res of [
      await bankCall(code, 'not-the-secret-at-all', '/v1/bank/notifications', n).res,
      await bankCall('BKNOSUCHBANK', secret, '/v1/bank/notifications', n).res,
      await call('POST', '/v1/bank/notifications', { body: n }),
      // a partner's header is not a bank's
      await call('POST', '/v1/bank/notifications', { rawBody: JSON.stringify(n), headers: signedHeaders(code, secret, { method: 'POST', path: '/v1/bank/notifications', rawBody: JSON.stringify(n) }) }),
    ]) {
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body.code).toBe('SIGNATURE_INVALID');
    }
    expect((await openItems()).some((i) => i.notificationId === n.notificationId)).toBe(false);
    // a signature over a body that is not JSON is still checked first: 401 whatever the body
    const bad = await call('POST', '/v1/bank/notifications', { rawBody: '{not json', headers: { 'x-hpf-bank': code, 'x-hpf-timestamp': String(Math.floor(Date.now() / 1000)), 'x-hpf-nonce': randomBytes(16).toString('hex'), 'x-hpf-signature': '0'.repeat(64) } });
    expect(bad.status).toBe(401);
    // a good call's nonce is single-use
    const first = bankCall(code, secret, '/v1/bank/notifications', n);
    expect((await first.res).status).toBe(200);
    const replay = await bankCall(code, secret, '/v1/bank/notifications', n, { nonceHeaders: first.headers }).res;
    expect(replay.status).toBe(401);
  });

  it('a notice to an account that is not this bank’s collection account is 422; an invalid one 400', async () => {
    const toPayment = await notify(notice({ accountNo: payment }));
    expect(toPayment.status).toBe(422);
    expect(toPayment.body.code).toBe('POLICY_VIOLATION');
    expect((await notify(notice({ accountNo: digits(18) }))).status).toBe(422);
    expect((await notify(notice({ amount: '-1' }))).body.code).toBe('VALIDATION_FAILED');
    expect((await notify({ ...notice(), extra: true })).body.code).toBe('VALIDATION_FAILED');
  });

  it('an unmatched arrival waits in suspense once (the same notice twice → the same answer); city staff and auditors see it, a branch clerk does not', async () => {
    const n = notice({ reference: '某某公司 还款' });
    const [a, b] = await Promise.all([notify(n), notify(n)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual({ matched: null });
    expect(b.body).toEqual({ matched: null });
    expect((await notify(n)).body).toEqual({ matched: null });
    const mine = (await openItems()).filter((i) => i.notificationId === n.notificationId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ bankCode: code, amount: '1234.56', payerName: n.payerName, payerAccount: n.payerAccount, reference: n.reference, status: 'OPEN' });
    expect((await call('GET', '/v1/bank/suspense', { token: auditor })).status).toBe(200);
    expect((await call('GET', '/v1/bank/suspense', { token: await staffToken('HZ01') })).status).toBe(403);
    expect((await call('GET', '/v1/bank/suspense', { token: await memberToken('100000000001') })).status).toBe(403);
    expect((await call('GET', '/v1/bank/suspense?cursor=e30', { token: city })).body.code).toBe('VALIDATION_FAILED');
    const archive = await readArchive('BANK_NOTICE', `${code}:${n.notificationId}`);
    expect(archive).toHaveLength(1);
    expect(archive[0]).toMatchObject({ action: 'ARRIVAL_NOTICE', decision: { matched: null, suspenseItemId: mine[0].itemId } });
  });

  it('a refund pays the payer back by an order the bank receives signed; FAILED reopens the item, SETTLED closes it; results are recorded once', async () => {
    const n = notice({ amount: '88.80', reference: '退款测试' });
    expect((await notify(n)).body).toEqual({ matched: null });
    const item = (await openItems()).find((i) => i.notificationId === n.notificationId);
    const assign = (body: unknown, idem = randomUUID()) => call('POST', `/v1/bank/suspense/${item.itemId}/assign`, { token: city, body, idem });
    expect((await call('POST', `/v1/bank/suspense/${item.itemId}/assign`, { token: await staffToken('HZ01'), body: { refund: true, note: '退回' }, idem: randomUUID() })).status).toBe(403);

    const key = randomUUID();
    const refunding = await assign({ refund: true, note: '无法确认付款人，退回' }, key);
    expect(refunding.status, JSON.stringify(refunding.body)).toBe(200);
    expect(refunding.body).toMatchObject({ itemId: item.itemId, status: 'REFUNDING' });
    const paymentId = refunding.body.paymentId as string;
    expect((await assign({ refund: true, note: '无法确认付款人，退回' }, key)).body).toEqual(refunding.body); // replay
    expect((await assign({ refund: true, note: '再退' })).body.code).toBe('INVALID_STATE');
    expect((await openItems()).some((i) => i.itemId === item.itemId)).toBe(false);

    const listed = async (status: string) => {
      let items: any[] = [];
      let cursor = '';
      do {
        const r = await call('GET', `/v1/bank/payments?status=${status}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: auditor });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        items = items.concat(r.body.items);
        cursor = r.body.nextCursor ?? '';
      } while (cursor);
      return items.find((p) => p.paymentId === paymentId);
    };
    // the worker sends it signed; once the bank acknowledged it, it is SENT (still ORDERED: no result yet)
    const sent = await pollUntil(() => listed('ORDERED'), (p) => p?.delivery === 'SENT', 20_000);
    expect(sent).toMatchObject({ bankCode: code, fromAccountNo: payment, payeeName: n.payerName, payeeAccount: n.payerAccount, amount: '88.80', purpose: 'SUSPENSE_REFUND', reference: n.notificationId, status: 'ORDERED', delivery: 'SENT' });
    const got = bank.received.filter((r) => r.body.paymentId === paymentId);
    expect(got).toHaveLength(1);
    expect(got[0].body).toEqual({ paymentId, fromAccountNo: payment, payeeName: n.payerName, payeeAccount: n.payerAccount, amount: '88.80', purpose: 'SUSPENSE_REFUND', reference: n.notificationId });
    expect(bank.forged).toEqual([]);
    expect((await call('GET', '/v1/bank/payments?status=ORDERED', { token: await staffToken('HZ01') })).status).toBe(403);

    // an unknown payment, or one of another bank: 404, nothing changes
    expect((await result({ paymentId: 'PNOSUCHPAYMENT', status: 'SETTLED', bankRef: 'BR-1' })).status).toBe(404);
    const other = { code: `BO${randomBytes(4).toString('hex')}`, secret: `other-secret-${randomUUID()}` };
    expect((await call('PUT', `/v1/banks/${other.code}`, { token: admin, body: { name: '另一银行', apiBaseUrl: bank.url, sharedSecret: other.secret, accounts: [{ accountNo: digits(19), purpose: 'COLLECTION' }] } })).status).toBe(201);
    expect((await result({ paymentId, status: 'SETTLED', bankRef: 'BR-X' }, other)).status).toBe(404);
    expect(await listed('ORDERED')).toBeDefined();

    // FAILED (delivered twice): recorded once, the item OPEN again with the bank's reason
    const failed = { paymentId, status: 'FAILED', bankRef: 'BR-F1', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' } };
    const [f1, f2] = await Promise.all([result(failed), result(failed)]);
    expect([f1.status, f2.status]).toEqual([200, 200]);
    expect(f1.body).toEqual({ paymentId, status: 'FAILED' });
    expect(f2.body).toEqual({ paymentId, status: 'FAILED' });
    expect((await result({ paymentId, status: 'SETTLED', bankRef: 'BR-F1' })).status).toBe(409);
    expect(await listed('FAILED')).toMatchObject({ status: 'FAILED', bankRef: 'BR-F1', failure: failed.failure });
    const reopened = (await openItems()).find((i) => i.itemId === item.itemId);
    expect(reopened).toMatchObject({ status: 'OPEN', lastRefundFailure: failed.failure });
    expect(reopened.paymentId).toBeUndefined();
    expect((await readArchive('PAYMENT', paymentId)).filter((r) => r.action === 'PAYMENT_RESULT')).toHaveLength(1);

    // refunded again: a new order; SETTLED → REFUNDED
    const again = await assign({ refund: true, note: '核实后再退' });
    expect(again.body.status).toBe('REFUNDING');
    const second = again.body.paymentId as string;
    expect(second).not.toBe(paymentId);
    await pollUntil(async () => bank.received.filter((r) => r.body.paymentId === second).length, (c) => c > 0, 20_000);
    expect((await result({ paymentId: second, status: 'SETTLED', bankRef: 'BR-S2', settledAt: new Date().toISOString() })).body).toEqual({ paymentId: second, status: 'SETTLED' });
    expect((await openItems()).some((i) => i.itemId === item.itemId)).toBe(false);
    const suspenseArchive = await readArchive('SUSPENSE', item.itemId);
    expect(suspenseArchive.map((r) => r.action)).toEqual(['REFUND', 'REFUND_RESULT', 'REFUND', 'REFUND_RESULT']);
    expect(suspenseArchive.at(-1)!.decision).toEqual({ status: 'REFUNDED' });
  });
});
