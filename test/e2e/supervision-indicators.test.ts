// Indicators move by exactly the amount of each posting kind, read O(shards) from the control totals.
import { describe, it, expect } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { call, auditorToken, staffToken, memberToken, baseUrl } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { knownBranches, ledgerWrite, mustGetAccount, type EntryType, type FundFlow } from '../../shared/ledger/ledger.ts';
import { addDays, businessDate, periodOf } from '../../shared/clock.ts';
import { D, fenToYuan, yuanToFen } from '../../shared/money.ts';
import { loanTotals } from '../../functions/loans/public.ts';
import { registerUnit } from './deposits-fixtures.ts';
import { depositor } from './supervision-fixtures.ts';
import { handler as snapshotTask } from '../../functions/supervision/schedule.ts';

const fen = (s: string) => (s.startsWith('-') ? -yuanToFen(s.slice(1)) : yuanToFen(s));

async function post(accountNo: string, type: EntryType, amountFen: number, fundFlows: FundFlow[] = []) {
  await commit({
    plan: async () => {
      const account = await mustGetAccount(accountNo);
      return { items: ledgerWrite([{ account, postings: [{ amountFen, type, ref: 'ind', valueDate: businessDate(), period: periodOf(businessDate()) }] }], { fundFlows }).items, body: null };
    },
  });
}

describe('indicators', () => {
  it('move by exactly each posting kind, per branch', async () => {
    const branch = `I${randomUUID().slice(0, 6)}`;
    const token = await auditorToken();
    const read = async () => (await call('GET', `/v1/supervision/indicators?branch=${branch}`, { token })).body;
    const acc = await openFundedAccount({ branch, openedOn: businessDate() });
    const base = await read();
    expect(base).toMatchObject({ depositBalance: '0.00', loanBalance: '0.00', contributors: 1, newDepositors: 1, personalLoanRatio: null });

    await post(acc.accountNo, 'REMITTANCE', 192_000);
    let now = await read();
    expect(fen(now.depositBalance)).toBe(192_000);
    expect(fen(now.netFlow.inflow) - fen(base.netFlow.inflow)).toBe(192_000);

    await post(acc.accountNo, 'WITHDRAWAL', -50_000);
    now = await read();
    expect(fen(now.depositBalance)).toBe(142_000);
    expect(fen(now.netFlow.outflow) - fen(base.netFlow.outflow)).toBe(50_000);

    // money moved for a loan (disbursement, offset) counts in the period's flows; the loan balance
    // itself is the loans' outstanding principal (their totals), not these flows: none here
    await post(acc.accountNo, 'DEPOSIT', 1_000, [{ kind: 'LOAN_DISBURSEMENT', amountFen: 130_000, branch, period: periodOf(businessDate()) }]);
    now = await read();
    expect(fen(now.netFlow.outflow) - fen(base.netFlow.outflow)).toBe(50_000 + 130_000);
    expect(now.loanBalance).toBe('0.00');
    expect(now.overdueRate).toBe(null);
    expect(fen(now.surplusFunds)).toBe(143_000);

    // an offset repays a loan from the account: the deposit balance falls, the repayment flows in
    await post(acc.accountNo, 'LOAN_OFFSET', -10_000, [{ kind: 'LOAN_REPAYMENT', amountFen: 10_000, branch, period: periodOf(businessDate()) }]);
    now = await read();
    expect(fen(now.depositBalance)).toBe(133_000);
    expect(fen(now.netFlow.inflow) - fen(base.netFlow.inflow)).toBe(192_000 + 1_000 + 10_000);

    await post(acc.accountNo, 'INTEREST', 2_000);
    now = await read();
    expect(fen(now.depositBalance)).toBe(135_000);

    // a unit registered in the branch
    expect(now.units).toBe(0);
    await registerUnit(branch);
    expect((await read()).units).toBe(1);

    // the daily snapshot keeps today's figures for the history
    await snapshotTask({ task: 'snapshot', date: businessDate() }, {} as never);
    const history = await call('GET', `/v1/supervision/indicators/history?from=${businessDate()}&to=${businessDate()}&branch=${branch}`, { token });
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({ date: businessDate(), branch, depositBalance: '1350.00', units: 1 });
  });

  it('staff read their own branch only; the city-level clerk any', async () => {
    expect((await call('GET', '/v1/supervision/indicators?branch=OTHER', { token: await staffToken('SC') })).status).toBe(403);
    const own = await call('GET', '/v1/supervision/indicators', { token: await staffToken('SC') });
    expect(own.status).toBe(200);
    expect(own.body.branch).toBe('SC');
    expect((await call('GET', '/v1/supervision/indicators?branch=SC', { token: await staffToken('*') })).status).toBe(200);
  });
});

/** Applies, approves and disburses a loan today through the API, installments due on `dueDay`. */
async function activeLoan(branch: string, accountNo: string, amount: string, repaymentMethod: string, dueDay: number) {
  const applied = await call('POST', '/v1/loans', {
    token: await memberToken(accountNo),
    body: { accountNo, housePrice: '1000000', firstHome: true, termMonths: 120, monthlyIncome: '20000', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod, amount },
  });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
  const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn: businessDate(), dueDay } });
  expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
  return loanId;
}

const percent = (num: number, den: number) => new D(num).div(den).times(100).toDecimalPlaces(2).toString();

describe('overdue rate', () => {
  it('is the overdue principal of the loans actually overdue over the loan balance, per branch and city-wide, live and in the snapshot of the run date', async () => {
    const branch = `OV${randomUUID().slice(0, 6)}`;
    const auditor = await auditorToken();
    const staff = await staffToken(branch);
    // loan A falls due on the 1st and is never paid; loan B falls due on the 28th (after the run date)
    const a = await depositor(branch);
    const b = await depositor(branch);
    const loanA = await activeLoan(branch, a.accountNo, '300000', 'EQUAL_INSTALLMENT', 1);
    const loanB = await activeLoan(branch, b.accountNo, '200000', 'EQUAL_PRINCIPAL', 28);
    const firstA = (await call('GET', `/v1/loans/${loanA}/schedule`, { token: staff })).body.installments[0];
    const firstB = (await call('GET', `/v1/loans/${loanB}/schedule`, { token: staff })).body.installments[0];
    const runDate = addDays(firstA.dueDate, 1);
    expect(firstB.dueDate > runDate).toBe(true);
    const before = await call('GET', `/v1/supervision/indicators?branch=${branch}`, { token: auditor });
    expect(before.body).toMatchObject({ loanBalance: '500000.00', overdueRate: '0' });

    // the daily loan run of the day after A's first due date marks it overdue
    const run = await fetch(`${baseUrl()}/_local/schedules/loans-daily?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date: runDate }) });
    expect(run.status, await run.clone().text()).toBe(200);
    const scheduleA = (await call('GET', `/v1/loans/${loanA}/schedule`, { token: staff })).body.installments as any[];
    const overdue = scheduleA.filter((i) => i.status === 'OVERDUE');
    expect(overdue.map((i) => i.no)).toEqual([1]);
    expect((await call('GET', `/v1/loans/${loanB}/schedule`, { token: staff })).body.installments.filter((i: any) => i.status === 'OVERDUE')).toEqual([]);
    const overdueFen = yuanToFen(overdue[0].principal);
    const outstandingFen = yuanToFen((await call('GET', `/v1/loans/${loanA}`, { token: staff })).body.outstandingPrincipal) + yuanToFen((await call('GET', `/v1/loans/${loanB}`, { token: staff })).body.outstandingPrincipal);
    expect(outstandingFen).toBe(50_000_000);
    expect(await loanTotals([branch])).toMatchObject({ outstandingPrincipalFen: outstandingFen, overduePrincipalFen: overdueFen });

    const depositFen = (await mustGetAccount(a.accountNo)).balanceFen + (await mustGetAccount(b.accountNo)).balanceFen;
    const live = (await call('GET', `/v1/supervision/indicators?branch=${branch}`, { token: auditor })).body;
    // e.g. 1,425.58 of 500,000.00 overdue: 0.285116 % → "0.29"
    expect(live.overdueRate).toBe(percent(overdueFen, outstandingFen));
    expect(live).toMatchObject({ loanBalance: fenToYuan(outstandingFen), depositBalance: fenToYuan(depositFen), surplusFunds: fenToYuan(depositFen - outstandingFen), personalLoanRatio: percent(outstandingFen, depositFen) });
    expect(live.warnings).toEqual([{ indicator: 'personalLoanRatio', level: 'ALERT', threshold: '95' }]);
    // the branch's own staff read the same
    expect((await call('GET', '/v1/supervision/indicators', { token: staff })).body.overdueRate).toBe(live.overdueRate);

    // city-wide: the same ratio over every branch's loans (other tests move loans meanwhile: read until steady)
    let city: any;
    for (let attempt = 0; attempt < 10; attempt++) {
      const t0 = await loanTotals(await knownBranches());
      city = (await call('GET', '/v1/supervision/indicators', { token: auditor })).body;
      const t1 = await loanTotals(await knownBranches());
      if (JSON.stringify(t0) === JSON.stringify(t1)) {
        expect(city.overdueRate).toBe(percent(t1.overduePrincipalFen, t1.outstandingPrincipalFen));
        expect(city.loanBalance).toBe(fenToYuan(t1.outstandingPrincipalFen));
        city = 'checked';
        break;
      }
    }
    expect(city).toBe('checked');

    // the snapshot schedule stores the figures under its event's date
    const snap = await fetch(`${baseUrl()}/_local/schedules/indicators-snapshot-daily?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date: runDate }) });
    expect(snap.status).toBe(200);
    const history = await call('GET', `/v1/supervision/indicators/history?from=${runDate}&to=${runDate}&branch=${branch}`, { token: auditor });
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({ date: runDate, branch, overdueRate: live.overdueRate, loanBalance: live.loanBalance, netFlow: { period: periodOf(runDate) } });
    expect((await call('GET', `/v1/supervision/indicators/history?from=${runDate}&to=${addDays(runDate, -1)}&branch=${branch}`, { token: auditor })).status).toBe(400);
    const forged = await call('GET', `/v1/supervision/indicators/history?from=${runDate}&to=${runDate}&branch=${branch}&cursor=e30`, { token: auditor });
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('VALIDATION_FAILED');
  }, 180_000);
});
