// deposits/public.ts for the interprovincial domain (issue 15): the deposit facts equal what our own
// API answers for the account, and a certificate record is written once in the deposits table.
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { call, memberToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { ledgerWrite, mustGetAccount } from '../../shared/ledger/ledger.ts';
import { commit } from '../../shared/tx.ts';
import { businessDate, now } from '../../shared/clock.ts';
import { deferralItem } from '../../functions/deposits/store.ts';
import { depositCertificateItems, depositCertificateNoOf, depositFactsOf, getDepositCertificate } from '../../functions/deposits/public.ts';

const today = businessDate();
const branch = `DC${randomUUID().slice(0, 8)}`;

/** Credits contributions for the periods given (as remittances do: a DEPOSIT entry per period). */
async function contribute(accountNo: string, periods: string[]) {
  await commit({
    plan: async () => {
      const account = await mustGetAccount(accountNo);
      const w = ledgerWrite([{ account, postings: periods.map((period) => ({ amountFen: 192_000, type: 'DEPOSIT' as const, ref: `fixture-${period}`, period, valueDate: `${period}-15` })), changes: { lastPaidPeriod: periods.at(-1) } }]);
      return { items: w.items, body: null };
    },
  });
}

const months = (from: string, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const idx = Number(from.slice(0, 4)) * 12 + Number(from.slice(5, 7)) - 1 + i;
    return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`;
  });

describe('depositFactsOf', () => {
  it('is what GET /v1/accounts/{accountNo} says, with months deposited and consecutive months (deferral months count)', async () => {
    const unitId = `U-${randomUUID()}`;
    const acc = await openFundedAccount({ balanceFen: 500_000, branch, unitId, openedOn: '2024-01-02' });
    await contribute(acc.accountNo, [...months('2024-01', 6), ...months('2024-09', 10)]); // 2024-01…06, 2024-09…2025-06
    const api = await call('GET', `/v1/accounts/${acc.accountNo}`, { token: await memberToken(acc.accountNo) });
    expect(api.status).toBe(200);

    const facts = await depositFactsOf(acc.accountNo, today);
    expect(facts).toEqual({
      status: api.body.status,
      balance: api.body.balance,
      monthlyBase: api.body.monthlyBase,
      monthlyAmount: api.body.monthlyAmount,
      lastPaidPeriod: api.body.lastPaidPeriod,
      openedOn: api.body.openedOn,
      monthsDeposited: 16,
      consecutiveMonths: 10,
    });
    expect(facts!.lastPaidPeriod).toBe('2025-06');
    expect(facts!.balance).toBe('35720.00'); // 5000.00 + 16 × 1920.00

    // the unit's approved deferral (缓缴) of 2024-07…08 bridges the gap
    await commit({ plan: async () => ({ items: [deferralItem({ deferralId: `D-${randomUUID()}`, unitId, fromPeriod: '2024-07', toPeriod: '2024-08', reason: '经营困难', approvedBy: 'staff-1', approvedAt: new Date().toISOString() })], body: null }) });
    expect((await depositFactsOf(acc.accountNo, today))!.consecutiveMonths).toBe(18);
  });

  it('undefined for an account we do not have', async () => {
    expect(await depositFactsOf('100000000009', today)).toBeUndefined();
  });
});

describe('depositCertificateItems', () => {
  it('commits a certificate record that getDepositCertificate reads back; a redelivery writes nothing twice', async () => {
    const acc = await openFundedAccount({ balanceFen: 300_000, branch });
    const facts = (await depositFactsOf(acc.accountNo, today))!;
    const trackingId = `T-${randomUUID()}`;
    const loans = [{ loanId: 'L-1', status: 'CLOSED', principal: '100000.00', outstandingPrincipal: '0.00', payoffAmountToday: '0.00', overdueInstallments: 0 }];
    const at = now();
    const issued = depositCertificateItems({ accountNo: acc.accountNo, facts, loans, purpose: '异地贷款', issuedTo: { partner: '110000' }, trackingId, today, at });
    expect(issued.certificateNo).toBe(depositCertificateNoOf(trackingId));
    expect(await getDepositCertificate(issued.certificateNo)).toBeUndefined(); // planned, not committed
    await commit({ plan: async () => ({ items: issued.items, body: null }) });

    const stored = await getDepositCertificate(issued.certificateNo);
    expect(stored).toEqual({ certificateNo: issued.certificateNo, accountNo: acc.accountNo, facts, loans, purpose: '异地贷款', issuedTo: { partner: '110000' }, trackingId, issuedOn: today, issuedAt: at.toISOString() });

    // a redelivery plans the same number; its put is refused (the caller re-plans from its own state)
    const again = depositCertificateItems({ accountNo: acc.accountNo, facts: { ...facts, balance: '1.00' }, loans: [], issuedTo: { partner: '110000' }, trackingId, today, at: new Date(at.getTime() + 60_000) });
    expect(again.certificateNo).toBe(issued.certificateNo);
    await expect(commit({ plan: async () => ({ items: again.items, body: null }), maxAttempts: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await getDepositCertificate(issued.certificateNo)).toEqual(stored);
  });

  it('without a tracking id (a member at the counter) a new number each time', async () => {
    const acc = await openFundedAccount({ balanceFen: 100, branch });
    const facts = (await depositFactsOf(acc.accountNo, today))!;
    const a = depositCertificateItems({ accountNo: acc.accountNo, facts, loans: [], issuedTo: { sub: `member-${acc.accountNo}` }, today, at: now() });
    const b = depositCertificateItems({ accountNo: acc.accountNo, facts, loans: [], issuedTo: { sub: `member-${acc.accountNo}` }, today, at: now() });
    expect(a.certificateNo).not.toBe(b.certificateNo);
    await commit({ plan: async () => ({ items: [...a.items, ...b.items], body: null }) });
    expect((await getDepositCertificate(a.certificateNo))?.issuedTo).toEqual({ sub: `member-${acc.accountNo}` });
    expect((await getDepositCertificate(b.certificateNo))?.accountNo).toBe(acc.accountNo);
    expect(await getDepositCertificate(`DC-${randomUUID()}`)).toBeUndefined();
  });
});
