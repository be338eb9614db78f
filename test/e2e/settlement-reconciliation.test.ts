// Daily bank reconciliation (银行对账) over HTTP against the local runtime and its bank simulator: an
// auditor reconciles a day (POST /v1/bank/reconciliations → 202 { runId }, GET the run); the
// simulator's statement of the day is matched line by line against our arrival notices and settled
// payments. Matched movements raise no finding; a stray statement line raises exactly one CRITICAL
// finding of rule BANK_RECONCILIATION naming it (recorded by supervision, the same again: the same
// finding). Other files move money through the same simulator today, so what is asserted is what
// this file's own lines and records got. Old open items are findings too (HIGH, the same rule): an
// OPEN suspense item and an ORDERED payment order older than their thresholds each raise exactly one;
// fresh ones none. Time cannot pass in a test: the old ones are written with an old date through the
// settlement store.
import { randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { baseUrl, call, staffToken, unitToken, auditorToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { pollUntil, registerUnit, uniqueBranch } from './deposits-fixtures.ts';
import { businessDate, periodOf, addMonths } from '../../shared/clock.ts';
import { commit } from '../../shared/tx.ts';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { getPayment, getSuspense, putPaymentItem, putSuspenseItem } from '../../functions/settlement/store.ts';
import type { PaymentOrder } from '../../functions/settlement/domain/types.ts';
import { DEFAULT_ACCOUNTS } from '../../infra/local/bank-simulator.ts';

const digits = (n: number) => Array.from({ length: n }, (_x, i) => (i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join('');
const local = async (path: string, body: unknown) => {
  const res = await fetch(`${baseUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};
const arrive = (body: Record<string, unknown>) => local('/_local/bank/arrivals', body);
/** Every open suspense item (paged: other files leave theirs open too). */
async function openSuspense(): Promise<any[]> {
  const auditor = await auditorToken();
  const items: any[] = [];
  for (let cursor = ''; ; ) {
    const page = await call('GET', `/v1/bank/suspense?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: auditor });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    if (!page.body.nextCursor) return items;
    cursor = page.body.nextCursor;
  }
}

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
  const item = (await openSuspense()).find((i: any) => i.notificationId === stray.body.notificationId);
  const city = await staffToken('*');
  const refund = await call('POST', `/v1/bank/suspense/${item.itemId}/assign`, { token: city, body: { refund: true, note: '退回付款人' } });
  expect(refund.body).toMatchObject({ status: 'REFUNDING' });
  const paymentId = refund.body.paymentId as string;
  // the order's own record (the list of SETTLED orders holds every other file's too, oldest first)
  const settled = await pollUntil(() => getPayment(paymentId), (p) => p?.status === 'SETTLED', 20_000);
  expect(settled).toMatchObject({ paymentId, status: 'SETTLED', amountFen: 7_770 });
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

  it('old open items: an old OPEN suspense item and an old ORDERED order each raise exactly one HIGH finding (the same again); fresh ones none', async () => {
    const auditor = await auditorToken();
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
    // two arrivals nothing matches: suspense items, received now
    const strays = await Promise.all(['旧', '新'].map((tag) => arrive({ amount: '31.40', reference: `待查-${tag}-${randomUUID().slice(0, 8)}`, payerName: '某单位', payerAccount: digits(16) })));
    for (const s of strays) expect(s.body.centerAnswer, JSON.stringify(s.body)).toEqual({ matched: null });
    const items = await openSuspense();
    const [oldItemId, freshItemId] = strays.map((s) => items.find((i) => i.notificationId === s.body.notificationId)!.itemId as string);
    // the first arrived 10 days ago (written through the store, still OPEN)
    const held = (await getSuspense(oldItemId))!;
    await commit({ plan: async () => ({ items: [putSuspenseItem({ ...held, receivedAt: daysAgo(10) }, 'OPEN')], body: null }) });

    // two orders no bank has answered (written through the store, acknowledged: nothing re-sends them), one ordered 4 days ago, one now
    const payAccount = DEFAULT_ACCOUNTS.find((a) => a.purpose === 'PAYMENT')!.accountNo;
    const order = (paymentId: string, orderedAt: string): PaymentOrder => ({ paymentId, bankCode: 'SIMBANK', fromAccountNo: payAccount, payeeName: '某职工', payeeAccount: digits(16), amountFen: 12_300, purpose: 'WITHDRAWAL', reference: `W-${paymentId}`, source: { kind: 'WITHDRAWAL', id: `W-${paymentId}` }, status: 'ORDERED', delivery: 'SENT', attempts: 1, orderedAt, sentAt: orderedAt });
    const [oldPaymentId, freshPaymentId] = [`PAGED${randomUUID().slice(0, 8).toUpperCase()}`, `PFRESH${randomUUID().slice(0, 8).toUpperCase()}`];
    await commit({ plan: async () => ({ items: [putPaymentItem(order(oldPaymentId, daysAgo(4))), putPaymentItem(order(freshPaymentId, new Date().toISOString()))], body: null }) });
    try {
      const mine = [oldItemId, freshItemId, oldPaymentId, freshPaymentId];
      const run = await reconcile(businessDate());
      const about = naming(run.findings, mine);
      expect(about).toHaveLength(2);
      const suspenseFinding = about.find((f) => f.kind === 'AGED_SUSPENSE');
      const paymentFinding = about.find((f) => f.kind === 'UNSETTLED_PAYMENT');
      expect(suspenseFinding).toMatchObject({ subject: `SUSPENSE:${oldItemId}`, bankCode: 'SIMBANK', accountNo: held.accountNo, record: { kind: 'SUSPENSE', id: oldItemId } });
      expect(paymentFinding).toMatchObject({ subject: `PAYMENT:${oldPaymentId}:UNSETTLED`, bankCode: 'SIMBANK', accountNo: payAccount, record: { kind: 'PAYMENT', id: oldPaymentId } });
      // counted in the run (other files' old items may be counted too)
      expect((run as any).aged.suspense).toBeGreaterThanOrEqual(1);
      expect((run as any).aged.unsettledPayments).toBeGreaterThanOrEqual(1);
      expect((run as any).findingsTotal).toBeGreaterThanOrEqual(2);

      // supervision recorded each once: HIGH, rule BANK_RECONCILIATION, the evidence a clerk chases it with
      const open = async () => (await call('GET', '/v1/supervision/findings?status=OPEN&rule=BANK_RECONCILIATION&limit=200', { token: auditor })).body.items as any[];
      const listed = await pollUntil(open, (xs) => [suspenseFinding, paymentFinding].every((f) => xs.some((x) => x.findingId === f.findingId)), 10_000);
      expect(listed.find((f) => f.findingId === suspenseFinding.findingId)).toMatchObject({
        rule: 'BANK_RECONCILIATION', severity: 'HIGH', subject: `SUSPENSE:${oldItemId}`, status: 'OPEN',
        evidence: { kind: 'AGED_SUSPENSE', ageDays: 10, thresholdDays: 5, suspense: { itemId: oldItemId, notificationId: strays[0]!.body.notificationId, amount: '31.40' } },
      });
      expect(listed.find((f) => f.findingId === paymentFinding.findingId)).toMatchObject({
        rule: 'BANK_RECONCILIATION', severity: 'HIGH', subject: `PAYMENT:${oldPaymentId}:UNSETTLED`, status: 'OPEN',
        evidence: { kind: 'UNSETTLED_PAYMENT', ageDays: 4, thresholdDays: 3, payment: { paymentId: oldPaymentId, amount: '123.00', delivery: 'SENT' } },
      });
      expect(listed.filter((f) => mine.some((id) => f.subject.includes(id)))).toHaveLength(2);

      // reconciled again: the same two findings, no new one
      const again = await reconcile(businessDate());
      expect(naming(again.findings, mine).map((f) => f.findingId).sort()).toEqual([suspenseFinding.findingId, paymentFinding.findingId].sort());
      expect((await open()).filter((f) => mine.some((id) => f.subject.includes(id)))).toHaveLength(2);
      // resolved by the auditor while the order is still unanswered: the next run reopens the same finding
      const resolved = await call('POST', `/v1/supervision/findings/${paymentFinding.findingId}/resolve`, { token: auditor, body: { note: '已联系银行查询' }, idem: randomUUID() });
      expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
      const third = await reconcile(businessDate());
      expect(naming(third.findings, mine).map((f) => f.findingId).sort()).toEqual([suspenseFinding.findingId, paymentFinding.findingId].sort());
      const reopened = (await open()).filter((f) => f.findingId === paymentFinding.findingId);
      expect(reopened).toHaveLength(1);
      expect(reopened[0]).toMatchObject({ status: 'OPEN', previousResolutions: [{ note: '已联系银行查询' }] });
      expect(reopened[0].reopenedAt > resolved.body.resolution.at).toBe(true);
      // the run read the items, it did not change them
      expect((await getSuspense(freshItemId))?.status).toBe('OPEN');
      expect((await getPayment(oldPaymentId))?.status).toBe('ORDERED');
    } finally {
      // the orders no bank will ever answer do not outlive this test (other files reconcile too)
      for (const id of [oldPaymentId, freshPaymentId]) await ddb.send(new DeleteCommand({ TableName: tableName('settlement'), Key: { pk: `PAY#${id}`, sk: 'PAY' } }));
    }
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

