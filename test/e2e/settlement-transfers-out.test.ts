// A transfer out pays the receiving center (api.md v1.1 "Banks and settlement"; issue 16 item 3): a
// partner's signed TRANSFER_REQUEST completed here orders its amount to the partner's registered
// `settlementAccount` from the PAYMENT account serving the member's branch; the bank simulator
// receives the order signed and settles it (an account ending in 0000 fails), and staff see the
// result on the request (`payment`). A result delivered twice changes nothing; a partner without a
// settlement account gets REJECTED NO_SETTLEMENT_ACCOUNT and nothing moves.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminToken, baseUrl, call, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { pollUntil } from './deposits-fixtures.ts';
import { signedHeaders } from '../../shared/signature.ts';
import { mustGetAccount } from '../../shared/ledger/ledger.ts';
import { readArchive } from '../../shared/archive.ts';
import { yuanToFen } from '../../shared/money.ts';

const digits = (n: number) => Array.from({ length: n }, (_x, i) => (i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join('');
const simulatorPayments = async () => ((await (await fetch(`${baseUrl()}/_local/bank/payments`)).json()) as { payments: any[] }).payments;
const resendResult = async (paymentId: string) => ((await (await fetch(`${baseUrl()}/_local/bank/payments/${encodeURIComponent(paymentId)}/resend-result`, { method: 'POST' })).json()) as { centerStatus: number });

/** A partner center registered by the admin (its settlement account, when given), and its signed POST of a request. */
async function partner(settlementAccount?: string) {
  const code = `TO${randomBytes(4).toString('hex')}`;
  const secret = `secret-${randomUUID()}`;
  const name = `转入地中心 ${code}`;
  const reg = await call('PUT', `/v1/interprovincial/partners/${code}`, { token: await adminToken(), body: { name, callbackUrl: 'http://127.0.0.1:9/callbacks', ...(settlementAccount ? { settlementAccount } : {}), sharedSecret: secret } });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  expect(reg.body.settlementAccount).toBe(settlementAccount ?? null);
  const send = async (body: unknown) => {
    const rawBody = JSON.stringify(body);
    const path = '/v1/interprovincial/requests';
    const res = await fetch(`${baseUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(code, secret, { method: 'POST', path, rawBody }) }, body: rawBody });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { code, name, send };
}

const staffRead = async (trackingId: string) => (await call('GET', `/v1/interprovincial/requests/${trackingId}`, { token: await staffToken('*') })).body;

describe('a transfer out pays the receiving center', () => {
  for (const outcome of ['SETTLED', 'FAILED'] as const) {
    it(`${outcome}: the order of the amount to the partner's settlement account, its result on the request once`, async () => {
      const account = outcome === 'SETTLED' ? digits(19) : `${digits(15)}0000`;
      const p = await partner(account);
      const a = await openFundedAccount({ balanceFen: 876_543, status: 'SEALED', branch: `TO${randomUUID().slice(0, 6)}` });
      const requestId = `R-${randomUUID()}`;
      const sent = await p.send({ requestId, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
      expect(sent.status, JSON.stringify(sent.body)).toBe(202);
      const trackingId = sent.body.trackingId as string;
      const done = await pollUntil(() => staffRead(trackingId), (r) => r.status === 'COMPLETED' || r.status === 'REJECTED', 30_000);
      expect(done).toMatchObject({ status: 'COMPLETED', payment: { paymentId: expect.any(String), amount: done.result.amount, payeeAccount: account } });
      expect(yuanToFen(done.result.amount)).toBeGreaterThanOrEqual(876_543);
      expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'CLOSED', balanceFen: 0 });
      const paymentId = done.payment.paymentId as string;

      const got = await pollUntil(simulatorPayments, (ps) => ps.some((x) => x.order.paymentId === paymentId && x.delivery?.delivered), 30_000);
      const mine = got.filter((x) => x.order.paymentId === paymentId);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ timesReceived: 1, order: { paymentId, payeeName: p.name, payeeAccount: account, amount: done.result.amount, purpose: 'TRANSFER_OUT', reference: requestId }, result: { status: outcome } });

      const paid = await pollUntil(() => staffRead(trackingId), (r) => r.payment?.status !== 'ORDERED', 30_000);
      expect(paid.payment).toMatchObject({ paymentId, status: outcome, bankRef: mine[0].result.bankRef, ...(outcome === 'FAILED' ? { failure: { code: 'ACCOUNT_NOT_FOUND', message: expect.stringContaining(account) } } : {}) });
      const action = outcome === 'SETTLED' ? 'TRANSFER_PAYMENT_SETTLED' : 'TRANSFER_PAYMENT_FAILED';
      expect((await readArchive('INTERPROVINCIAL_REQUEST', trackingId)).filter((r) => r.action === action)).toHaveLength(1);

      // the bank sends the same result again: 200, nothing changes (the member's account stays closed: the partner credited the member)
      expect((await resendResult(paymentId)).centerStatus).toBe(200);
      expect(await staffRead(trackingId)).toEqual(paid);
      expect((await readArchive('INTERPROVINCIAL_REQUEST', trackingId)).filter((r) => r.action === action)).toHaveLength(1);
      expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'CLOSED', balanceFen: 0 });
    });
  }

  it('a partner without a settlement account: REJECTED NO_SETTLEMENT_ACCOUNT, the account untouched, no order', async () => {
    const p = await partner();
    const a = await openFundedAccount({ balanceFen: 123_456, status: 'SEALED' });
    const sent = await p.send({ requestId: `R-${randomUUID()}`, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
    expect(sent.status).toBe(202);
    const done = await pollUntil(() => staffRead(sent.body.trackingId), (r) => r.status === 'COMPLETED' || r.status === 'REJECTED', 30_000);
    expect(done).toMatchObject({ status: 'REJECTED', rejection: { code: 'NO_SETTLEMENT_ACCOUNT' } });
    expect(done.payment).toBeUndefined();
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'SEALED', balanceFen: 123_456 });
  });
});
