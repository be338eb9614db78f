// A month of a small city's fund (one branch of its own), through the API: units paying, one paying
// late, one that creates its lists but never pays, one deferred (缓缴); two borrowers, one paying by
// monthly offset and one who does not pay and goes overdue. At the end the indicators — overdue rate
// included — and the findings are exactly what the month implies, live and in the day's snapshot.
import { describe, it, expect } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { Decimal } from 'decimal.js';
import { businessDate, addMonths, addDays, periodOf } from '../../shared/clock.ts';
import { uniqueBranch } from './deposits-fixtures.ts';
import { call, ok, fen, hire, remit, settle, runSchedule, registerUnit, staffToken, unitToken, memberToken, auditorToken } from './life-support.ts';

const today = businessDate();
const thisPeriod = periodOf(today);
const start = addMonths(thisPeriod, -6);
const nextDue = `${addMonths(thisPeriod, 1)}-01`;
const percent = (part: number, whole: number) => new Decimal(part).div(whole).times(100).toDecimalPlaces(2).toString();

async function loan(accountNo: string, branch: string, amount: string, offset: boolean) {
  const t = await memberToken(accountNo);
  const body = { accountNo, housePrice: '500000', firstHome: true, termMonths: 12, monthlyIncome: '15000', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_PRINCIPAL', amount };
  const { loanId } = ok(await call('POST', '/v1/loans', { token: t, body }), 201);
  ok(await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch), body: {} }));
  ok(await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn: today, dueDay: 1 } }));
  if (offset) ok(await call('PUT', `/v1/loans/${loanId}/offset`, { token: t, body: { enabled: true }, idem: false }));
  return loanId as string;
}

describe('a fund’s month', () => {
  it('ends with the indicators and findings the month implies', { timeout: 300_000 }, async () => {
    const branch = uniqueBranch('MON');
    const auditor = await auditorToken();

    // four units; bases 6,000.00 at 12% + 12% → 1,440.00 a month per employee
    const onTime = await registerUnit(branch, { startPeriod: start });
    const late = await registerUnit(branch, { startPeriod: start });
    const neverPays = await registerUnit(branch, { startPeriod: start });
    const deferredUnit = await registerUnit(branch, { startPeriod: start });
    const x = await hire(onTime.unitId, '赵一', '6000', start);
    const y = await hire(onTime.unitId, '钱二', '6000', start);
    const l = await hire(late.unitId, '孙三', '6000', start);
    await hire(neverPays.unitId, '李四', '6000', start);
    await hire(deferredUnit.unitId, '周五', '6000', start);
    ok(await call('POST', `/v1/units/${deferredUnit.unitId}/deferrals`, { token: await staffToken(branch), body: { fromPeriod: start, toPeriod: addMonths(thisPeriod, -1), reason: '经营困难' } }), 201);

    let remittedFen = 0;
    for (let k = -6; k <= -1; k++) remittedFen += fen((await remit(onTime.unitId, branch, addMonths(thisPeriod, k))).totalAmount);
    // the late unit: lists made month by month, the last ones paid only at the end of the month
    const lateLists = [];
    for (let k = -6; k <= -1; k++) lateLists.push(ok(await call('POST', `/v1/units/${late.unitId}/remittances`, { token: await unitToken(late.unitId), body: { period: addMonths(thisPeriod, k) } }), 201));
    // the unit that never pays: it makes its lists, the money never comes
    for (let k = -6; k <= -4; k++) ok(await call('POST', `/v1/units/${neverPays.unitId}/remittances`, { token: await unitToken(neverPays.unitId), body: { period: addMonths(thisPeriod, k) } }), 201);
    for (const r of lateLists) remittedFen += fen((await settle(r.remittanceId, branch, r.totalAmount)).totalAmount);
    expect(remittedFen).toBe(18 * 144_000);

    // two borrowers of the on-time unit: x signs the monthly offset, y does not pay
    const xLoan = await loan(x.accountNo, branch, '12000', true);
    const yLoan = await loan(y.accountNo, branch, '24000', false);

    // the first due day: x's installment is offset; the day after, y's is overdue
    await runSchedule('loans-daily', nextDue);
    await runSchedule('loans-daily', addDays(nextDue, 1));
    const ySchedule = ok(await call('GET', `/v1/loans/${yLoan}/schedule`, { token: auditor }).then((r) => r)).installments as any[];
    const xSchedule = ok(await call('GET', `/v1/loans/${xLoan}/schedule`, { token: auditor })).installments as any[];
    expect(xSchedule[0].status).toBe('PAID');
    expect(ySchedule[0].status).toBe('OVERDUE');
    expect(ySchedule.slice(1).map((r) => r.status)).toEqual(Array(11).fill('DUE'));
    // equal principal: 24,000.00 / 12 = 2,000.00 a month; 12,000.00 / 12 = 1,000.00
    expect(ySchedule[0].principal).toBe('2000.00');
    const yLoanView = ok(await call('GET', `/v1/loans/${yLoan}`, { token: auditor }));
    expect(yLoanView.overdue).toMatchObject({ installments: 1 });

    // the fund's figures for the branch
    const accounts = [x, y, l].map((p) => p.accountNo);
    let depositFen = 0;
    for (const no of accounts) depositFen += fen(ok(await call('GET', `/v1/accounts/${no}`, { token: auditor })).balance);
    // x paid installment 1 (1,000.00 principal) by offset; nothing of y's
    const loanBalanceFen = 1_200_000 - 100_000 + 2_400_000;
    const overdueFen = 200_000;
    const ind = ok(await call('GET', `/v1/supervision/indicators?branch=${branch}`, { token: auditor }));
    expect(fen(ind.depositBalance)).toBe(depositFen);
    expect(depositFen).toBe(18 * 144_000 - fen(xSchedule[0].payment));
    expect(fen(ind.loanBalance)).toBe(loanBalanceFen);
    expect(fen(ind.surplusFunds)).toBe(depositFen - loanBalanceFen);
    expect(ind.personalLoanRatio).toBe(percent(loanBalanceFen, depositFen));
    expect(ind.overdueRate).toBe(percent(overdueFen, loanBalanceFen));
    expect(ind.contributors).toBe(5);
    expect(ind.units).toBe(4);
    // this period's net flow: 18 remittances in; 36,000.00 disbursed out (the offset falls in the next period)
    expect(ind.netFlow).toMatchObject({ period: thisPeriod, inflow: (remittedFen / 100).toFixed(2), outflow: '36000.00' });
    expect(fen(ind.netFlow.net)).toBe(remittedFen - 3_600_000);

    // the day's snapshot holds the same figures
    await runSchedule('indicators-snapshot-daily', today);
    const history = ok(await call('GET', `/v1/supervision/indicators/history?branch=${branch}&from=${today}&to=${today}`, { token: auditor }));
    const snap = history.items.find((s: any) => s.date === today);
    expect(snap).toMatchObject({ overdueRate: ind.overdueRate, loanBalance: ind.loanBalance, depositBalance: ind.depositBalance });

    // the audit: the unit that never paid is in arrears (its unpaid lists do not count); the late
    // unit paid, the deferred unit is deferred, the on-time unit is fine
    await runSchedule('audit-daily', today);
    const findingsOf = async (subject: string) => {
      const out: any[] = [];
      for (const status of ['OPEN', 'RESOLVED']) {
        let cursor: string | null = null;
        do {
          const page: { items: any[]; nextCursor: string | null } = ok(await call('GET', `/v1/supervision/findings?status=${status}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: auditor }));
          out.push(...page.items.filter((f: any) => f.subject === subject));
          cursor = page.nextCursor;
        } while (cursor);
      }
      return out;
    };
    const arrears = await findingsOf(neverPays.unitId);
    expect(arrears).toHaveLength(1);
    expect(arrears[0]).toMatchObject({ rule: 'UNIT_NO_REMITTANCE', status: 'OPEN' });
    for (const u of [onTime, late, deferredUnit]) expect(await findingsOf(u.unitId)).toEqual([]);
    // one overdue installment is not yet a finding (3 consecutive or 6 cumulative)
    expect(await findingsOf(yLoan)).toEqual([]);
    expect(await findingsOf(xLoan)).toEqual([]);
  });
});
