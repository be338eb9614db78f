// The local runtime's bank simulator is a bank like any other (architecture.md): registered at start,
// it posts a unit's payment as a signed arrival notice when told (POST /_local/bank/arrivals), takes
// our signed payment orders and settles them with a signed result (a payee account ending in 0000
// fails). Over HTTP, no clerk: the remittance is settled by the bank's notice and its employee credited.
import { randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { baseUrl, call, staffToken, unitToken, auditorToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { pollUntil, registerUnit, uniqueBranch } from './deposits-fixtures.ts';
import { businessDate, periodOf, addMonths } from '../../shared/clock.ts';

const digits = (n: number) => Array.from({ length: n }, (_x, i) => (i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join('');
const arrive = async (body: Record<string, unknown>) => {
  const res = await fetch(`${baseUrl()}/_local/bank/arrivals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { notificationId: string; centerStatus: number; centerAnswer: any } };
};
/** What the simulator received: `{ order, timesReceived, result?, delivery }` per payment. */
const simulatorPayments = async () => ((await (await fetch(`${baseUrl()}/_local/bank/payments`)).json()) as { payments: any[] }).payments;

/** The order as GET /v1/bank/payments?status= lists it, paged to the end (every other file's orders are there too, oldest first). */
async function listedWith(status: string, paymentId: string, token: string) {
  for (let cursor = ''; ; ) {
    const page = await call('GET', `/v1/bank/payments?status=${status}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    const found = page.body.items.find((p: any) => p.paymentId === paymentId);
    if (found || !page.body.nextCursor) return found;
    cursor = page.body.nextCursor;
  }
}

describe('the bank simulator of the local runtime', () => {
  it('a unit pays its remittance at the bank: the arrival notice settles it and its employee is credited, with no clerk', async () => {
    const unit = await registerUnit(uniqueBranch('SIM'), { startPeriod: addMonths(periodOf(businessDate()), -1) });
    const tok = await unitToken(unit.unitId);
    const hired = await call('POST', `/v1/units/${unit.unitId}/employees`, { token: tok, body: { idNumber: randomResidentId(), name: '孙八', monthlyBase: '10000' } });
    expect(hired.status, JSON.stringify(hired.body)).toBe(201);
    const rem = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: tok, body: { period: periodOf(businessDate()) } });
    expect(rem.body).toMatchObject({ status: 'AWAITING_FUNDS', totalAmount: '2400.00' });

    const arrived = await arrive({ amount: '2400.00', reference: rem.body.remittanceId, payerName: unit.name ?? '单位', payerAccount: digits(16) });
    expect(arrived.status, JSON.stringify(arrived.body)).toBe(200);
    expect(arrived.body.centerStatus).toBe(200);
    expect(arrived.body.centerAnswer).toEqual({ matched: { kind: 'REMITTANCE', id: rem.body.remittanceId } });
    const posted = await pollUntil(async () => (await call('GET', `/v1/remittances/${rem.body.remittanceId}`, { token: tok })).body, (x) => x.status === 'POSTED', 30_000);
    expect(posted.status).toBe('POSTED');
    expect((await call('GET', `/v1/accounts/${hired.body.accountNo}`, { token: tok })).body.balance).toBe('2400.00');
  });

  it('an arrival nobody can name waits in suspense; its refund is an order the simulator receives signed and settles (0000: fails, and the item reopens)', async () => {
    const city = await staffToken('*');
    const open = async () => (await call('GET', '/v1/bank/suspense?limit=200', { token: await auditorToken() })).body.items as any[];
    for (const [payerAccount, outcome] of [[`${digits(12)}0000`, 'OPEN'], [digits(16), 'REFUNDED']] as const) {
      const arrived = await arrive({ amount: '66.60', reference: `不明款项-${randomUUID().slice(0, 8)}`, payerName: '某某', payerAccount });
      expect(arrived.body.centerAnswer).toEqual({ matched: null });
      const item = (await open()).find((i) => i.notificationId === arrived.body.notificationId);
      expect(item).toMatchObject({ amount: '66.60', status: 'OPEN' });
      const refund = await call('POST', `/v1/bank/suspense/${item.itemId}/assign`, { token: city, body: { refund: true, note: '退回付款人' } });
      expect(refund.body).toMatchObject({ status: 'REFUNDING' });
      const paymentId = refund.body.paymentId as string;
      // the simulator got the order once, signed (it refuses unsigned ones), and settles or fails it
      const got = await pollUntil(simulatorPayments, (ps) => ps.some((p) => p.order.paymentId === paymentId && p.delivery?.delivered), 20_000);
      const mine = got.filter((p) => p.order.paymentId === paymentId);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ timesReceived: 1, order: { paymentId, payeeAccount: payerAccount, amount: '66.60', purpose: 'SUSPENSE_REFUND' }, result: { status: outcome === 'OPEN' ? 'FAILED' : 'SETTLED' } });
      const settled = await pollUntil(() => listedWith(outcome === 'OPEN' ? 'FAILED' : 'SETTLED', paymentId, city), (p) => !!p, 20_000);
      expect(settled).toMatchObject({ paymentId, status: outcome === 'OPEN' ? 'FAILED' : 'SETTLED' });
      const reopened = (await open()).find((i) => i.itemId === item.itemId);
      if (outcome === 'OPEN') expect(reopened).toMatchObject({ status: 'OPEN' });
      else expect(reopened).toBeUndefined();
    }
  });
});
