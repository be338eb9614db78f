// Daily bank reconciliation (银行对账) over HTTP against the local runtime and its bank simulator: an
// auditor reconciles a day (POST /v1/bank/reconciliations → 202 { runId }, GET the run); the
// simulator's statement of the day is matched line by line against our arrival notices and settled
// payments. Matched movements raise no finding; a stray statement line raises exactly one CRITICAL
// finding of rule BANK_RECONCILIATION naming it (recorded by supervision, the same again: the same
// finding). Other files move money through the same simulator today, so what is asserted is what
// this file's own lines and records got.
import { randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { baseUrl, call, staffToken, unitToken, auditorToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { pollUntil, registerUnit, uniqueBranch } from './deposits-fixtures.ts';
import { businessDate, periodOf, addMonths } from '../../shared/clock.ts';

const digits = (n: number) => Array.from({ length: n }, (_x, i) => (i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join('');
const local = async (path: string, body: unknown) => {
  const res = await fetch(`${baseUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};
const arrive = (body: Record<string, unknown>) => local('/_local/bank/arrivals', body);

/** A day's movements of this file: a unit's remittance paid at the bank (matched) and a suspense refund settled. */
async function matchedArrivalAndSettledRefund() {
  const unit = await registerUnit(uniqueBranch('RCN'), { startPeriod: addMonths(periodOf(businessDate()), -1) });
  const tok = await unitToken(unit.unitId);
  const hired = await call('POST', `/v1/units/${unit.unitId}/employees`, { token: tok, body: { idNumber: randomResidentId(), name: '对账甲', monthlyBase: '10000' } });
  expect(hired.status, JSON.stringify(hired.body)).toBe(201);
  const rem = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: tok, body: { period: periodOf(businessDate()) } });
  expect(rem.body).toMatchObject({ status: 'AWAITING_FUNDS', totalAmount: '2400.00' });
  const paid = await arrive({ amount: '2400.00', reference: rem.body.remittanceId, payerName: '对账单位', payerAccount: digits(16) });
  expect(paid.body.centerAnswer, JSON.stringify(paid.body)).toEqual({ matched: { kind: 'REMITTANCE', id: rem.body.remittanceId } });

  const stray = await arrive({ amount: '77.70', reference: `不明款项-${randomUUID().slice(0, 8)}`, payerName: '某某', payerAccount: digits(16) });
  expect(stray.body.centerAnswer).toEqual({ matched: null });
  const auditor = await auditorToken();
  const item = (await call('GET', '/v1/bank/suspense?limit=200', { token: auditor })).body.items.find((i: any) => i.notificationId === stray.body.notificationId);
  const city = await staffToken('*');
  const refund = await call('POST', `/v1/bank/suspense/${item.itemId}/assign`, { token: city, body: { refund: true, note: '退回付款人' } });
  expect(refund.body).toMatchObject({ status: 'REFUNDING' });
  const paymentId = refund.body.paymentId as string;
  const settled = await pollUntil(async () => (await call('GET', '/v1/bank/payments?status=SETTLED&limit=200', { token: city })).body.items.find((p: any) => p.paymentId === paymentId), (p) => !!p, 20_000);
  expect(settled).toMatchObject({ paymentId, status: 'SETTLED', amount: '77.70' });
  return { notificationIds: [paid.body.notificationId as string, stray.body.notificationId as string], paymentId, collection: item.accountNo as string };
}

async function reconcile(date: string) {
  const auditor = await auditorToken();
  const started = await call('POST', '/v1/bank/reconciliations', { token: auditor, body: { date }, idem: randomUUID() });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const run = await call('GET', `/v1/bank/reconciliations/${started.body.runId}`, { token: auditor });
  expect(run.status, JSON.stringify(run.body)).toBe(200);
  expect(run.body).toMatchObject({ runId: started.body.runId, date });
  return run.body as { runId: string; date: string; status: string; accounts: any[]; findings: any[] };
}

const naming = (findings: any[], ids: string[]) => findings.filter((f) => ids.includes(f.reference) || ids.includes(f.record?.id) || ids.some((id) => f.subject.includes(id)));

describe('daily bank reconciliation (银行对账)', () => {
  it('a day with a matched arrival and a settled refund: their lines are matched, no finding names them', async () => {
    const mine = await matchedArrivalAndSettledRefund();
    const run = await reconcile(businessDate());
    // the simulator's accounts were read and reconciled
    const sim = run.accounts.filter((a) => a.bankCode === 'SIMBANK');
    expect(sim.length).toBeGreaterThanOrEqual(2);
    for (const a of sim) expect(a.error).toBeUndefined();
    expect(sim.reduce((s, a) => s + a.matched, 0)).toBeGreaterThanOrEqual(3); // two arrivals, one refund
    expect(naming(run.findings, [...mine.notificationIds, mine.paymentId])).toEqual([]);
  });

  it('the same plus one stray statement line: exactly one CRITICAL finding, naming the line; found again, the same finding', async () => {
    const mine = await matchedArrivalAndSettledRefund();
    const collection = mine.collection;
    const reference = `STRAY-${randomUUID().slice(0, 12)}`;
    const added = await local('/_local/bank/statement-lines', { accountNo: collection, direction: 'CREDIT', amount: '12.34', reference, valueDate: businessDate() });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const lineId = added.body.lineId as string;

    const run = await reconcile(businessDate());
    const about = naming(run.findings, [lineId, reference, ...mine.notificationIds, mine.paymentId]);
    expect(about).toHaveLength(1);
    expect(about[0]).toMatchObject({ kind: 'UNKNOWN_LINE', bankCode: 'SIMBANK', accountNo: collection, lineId, reference, subject: `SIMBANK:${collection}:LINE:${lineId}` });

    // supervision recorded it: CRITICAL, rule BANK_RECONCILIATION, evidence naming the line
    const auditor = await auditorToken();
    const listed = await pollUntil(async () => (await call('GET', '/v1/supervision/findings?status=OPEN&rule=BANK_RECONCILIATION&limit=200', { token: auditor })).body.items as any[], (xs) => xs.some((f) => f.findingId === about[0].findingId), 10_000);
    const finding = listed.find((f) => f.findingId === about[0].findingId);
    expect(finding).toMatchObject({ rule: 'BANK_RECONCILIATION', severity: 'CRITICAL', subject: about[0].subject, status: 'OPEN', evidence: { kind: 'UNKNOWN_LINE', line: { lineId, reference, amount: '12.34', direction: 'CREDIT' } } });

    // reconciled again: the same finding (no second one), still the only one about these movements
    const again = await reconcile(businessDate());
    const aboutAgain = naming(again.findings, [lineId, reference, ...mine.notificationIds, mine.paymentId]);
    expect(aboutAgain.map((f) => f.findingId)).toEqual([about[0].findingId]);
    const after = (await call('GET', '/v1/supervision/findings?status=OPEN&rule=BANK_RECONCILIATION&limit=200', { token: auditor })).body.items as any[];
    expect(after.filter((f) => f.subject === about[0].subject)).toHaveLength(1);
  });

  it('who: an auditor starts a run (a city-level clerk reads it, a branch clerk may not); an unknown run is 404; a date ahead is 400', async () => {
    const auditor = await auditorToken();
    const d = addMonths(periodOf(businessDate()), -2) + '-15';
    const started = await call('POST', '/v1/bank/reconciliations', { token: auditor, body: { date: d }, idem: randomUUID() });
    expect(started.status).toBe(202);
    expect((await call('GET', `/v1/bank/reconciliations/${started.body.runId}`, { token: await staffToken('*') })).status).toBe(200);
    expect((await call('GET', `/v1/bank/reconciliations/${started.body.runId}`, { token: await staffToken('B01') })).status).toBe(403);
    expect((await call('POST', '/v1/bank/reconciliations', { token: await staffToken('*'), body: { date: d }, idem: randomUUID() })).status).toBe(403);
    expect((await call('GET', '/v1/bank/reconciliations/BRNOSUCHRUN', { token: auditor })).status).toBe(404);
    expect((await call('POST', '/v1/bank/reconciliations', { token: auditor, body: { date: '2999-01-01' }, idem: randomUUID() })).status).toBe(400);
    // the same Idempotency-Key: the same run
    const key = randomUUID();
    const a = await call('POST', '/v1/bank/reconciliations', { token: auditor, body: { date: d }, idem: key });
    const b = await call('POST', '/v1/bank/reconciliations', { token: auditor, body: { date: d }, idem: key });
    expect(b.body.runId).toBe(a.body.runId);
  });
});

