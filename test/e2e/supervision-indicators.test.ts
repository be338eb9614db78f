// Indicators move by exactly the amount of each posting kind, read O(shards) from the control totals.
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { call, auditorToken, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, type EntryType, type FundFlow } from '../../shared/ledger/ledger.ts';
import { businessDate, periodOf } from '../../shared/clock.ts';
import { yuanToFen } from '../../shared/money.ts';
import { registerUnit } from './deposits-fixtures.ts';
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

    // a loan disbursed in this branch: loan balance, ratio, surplus
    await post(acc.accountNo, 'DEPOSIT', 1_000, [{ kind: 'LOAN_DISBURSEMENT', amountFen: 130_000, branch, period: periodOf(businessDate()) }]);
    now = await read();
    expect(fen(now.loanBalance)).toBe(130_000);
    expect(fen(now.surplusFunds)).toBe(143_000 - 130_000);
    expect(now.personalLoanRatio).toBe('90.91'); // 130,000 / 143,000 = 90.909…%
    expect(now.warnings).toEqual([{ indicator: 'personalLoanRatio', level: 'WARNING', threshold: '85' }]);

    // an offset repays the loan from the account: deposit balance and loan balance both fall
    await post(acc.accountNo, 'LOAN_OFFSET', -10_000, [{ kind: 'LOAN_REPAYMENT', amountFen: 10_000, branch, period: periodOf(businessDate()) }]);
    now = await read();
    expect(fen(now.depositBalance)).toBe(133_000);
    expect(fen(now.loanBalance)).toBe(120_000);
    expect(now.warnings[0]).toMatchObject({ level: 'WARNING' });

    await post(acc.accountNo, 'INTEREST', 2_000);
    now = await read();
    expect(fen(now.depositBalance)).toBe(135_000);

    // a unit registered in the branch
    expect(now.units).toBe(0);
    await registerUnit(branch);
    expect((await read()).units).toBe(1);

    // the daily snapshot keeps today's figures for the history
    await snapshotTask({ task: 'snapshot' }, {} as never);
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
