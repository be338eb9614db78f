// Payment orders in-process against the runtime's store (issue 16): an order is committed once per
// paymentId; the worker's send is signed, an unacknowledged send is recorded with back-off (dueAt) and
// the order stays on the sweeper's list, an acknowledged one is SENT and never sent again.
import { createServer } from 'node:http';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, adminToken } from '../support/http.ts';
import { commit } from '../../shared/tx.ts';
import { createLogger } from '../../shared/log.ts';
import { signatureMatches } from '../../shared/signature.ts';
import { paymentOrderItems } from '../../functions/settlement/public.ts';
import { deliverPayment } from '../../functions/settlement/usecases/orders.ts';
import { getPayment, pendingPayments } from '../../functions/settlement/store.ts';

const digits = (n: number) => Array.from({ length: n }, (_x, i) => (i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join('');
const log = createLogger('settlement-payments-test');

describe('payment orders (integration)', () => {
  const code = `BI${randomBytes(4).toString('hex')}`;
  const secret = `bank-secret-${randomUUID()}`;
  const payAccount = digits(19);
  const received: string[] = [];
  const state = { refuse: true };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const h = req.headers as Record<string, string>;
      if (!signatureMatches(secret, { method: 'POST', path: req.url!, timestamp: h['x-hpf-timestamp'], nonce: h['x-hpf-nonce'], rawBody: raw }, h['x-hpf-signature'] ?? '')) return res.writeHead(401).end();
      if (state.refuse) return res.writeHead(503).end();
      received.push(raw);
      res.writeHead(202).end('{}');
    });
  });
  let url = '';

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const reg = await call('PUT', `/v1/banks/${code}`, { token: await adminToken(), body: { name: '付款银行', apiBaseUrl: url, sharedSecret: secret, accounts: [{ accountNo: payAccount, purpose: 'PAYMENT', branches: [`BANKONLY${code}`] }] } }); // a branch of its own: never the bank of others' payments
    expect(reg.status).toBe(201);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const order = (paymentId: string) =>
    paymentOrderItems({ paymentId, preferBank: code, payeeName: '张三', payeeAccount: '6222020200112233', amountFen: 12_345, purpose: 'SUSPENSE_REFUND', reference: 'N-TEST', source: { kind: 'SUSPENSE_REFUND', id: 'S-TEST' }, at: new Date(Date.now() - 120_000) });

  it('is ordered once per paymentId, from the preferred bank’s PAYMENT account', async () => {
    const paymentId = `P-${randomUUID()}`;
    const first = await order(paymentId);
    expect(first.order).toMatchObject({ bankCode: code, fromAccountNo: payAccount, status: 'ORDERED', delivery: 'PENDING', attempts: 0 });
    await commit({ plan: async () => ({ items: first.items, body: null }) });
    const again = await order(paymentId);
    await expect(commit({ plan: async () => ({ items: again.items, body: null }), maxAttempts: 1 })).rejects.toThrow();
    expect((await getPayment(paymentId))?.orderedAt).toBe(first.order.orderedAt);
  });

  it('an unacknowledged send backs off and stays pending; an acknowledged one is SENT and not sent again', async () => {
    const paymentId = `P-${randomUUID()}`;
    const o = await order(paymentId);
    await commit({ plan: async () => ({ items: o.items, body: null }) });
    // ordered two minutes ago: due for the sweeper
    const due = async () => {
      const ids: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await pendingPayments(new Date(), 500, start);
        ids.push(...page.ids);
        start = page.lastKey;
      } while (start);
      return ids;
    };
    expect(await due()).toContain(paymentId);

    state.refuse = true;
    const before = Date.now();
    await deliverPayment(paymentId, log);
    const refused = await getPayment(paymentId);
    expect(refused).toMatchObject({ delivery: 'PENDING', attempts: 1 });
    expect(Date.parse(refused!.dueAt!)).toBeGreaterThanOrEqual(before + 30_000);
    expect(await due()).not.toContain(paymentId); // backed off
    expect(received.filter((r) => r.includes(paymentId))).toHaveLength(0);

    state.refuse = false;
    await deliverPayment(paymentId, log);
    const sent = await getPayment(paymentId);
    expect(sent).toMatchObject({ delivery: 'SENT', status: 'ORDERED', attempts: 1 });
    expect(sent!.dueAt).toBeUndefined();
    await deliverPayment(paymentId, log);
    const bodies = received.filter((r) => r.includes(paymentId)).map((r) => JSON.parse(r));
    expect(bodies).toEqual([{ paymentId, fromAccountNo: payAccount, payeeName: '张三', payeeAccount: '6222020200112233', amount: '123.45', purpose: 'SUSPENSE_REFUND', reference: 'N-TEST' }]);
    expect(await due()).not.toContain(paymentId);
  });
});
