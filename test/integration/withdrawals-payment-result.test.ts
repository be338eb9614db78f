// withdrawals/public.ts planWithdrawalPaymentResult against the store (issue 16): the refusals it
// throws (unknown withdrawal 404, not awaiting this payment's result 409, nothing written), a FAILED
// result applied at most once even when two commits race, and the ledger's re-opening of a CLOSED
// account by a status change (the narrow shared/ledger rule it relies on).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, memberToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { pollUntil } from '../e2e/deposits-fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { nowIso } from '../../shared/clock.ts';
import { allEntries, controlTotals, ledgerWrite, mustGetAccount, type AccountWrite } from '../../shared/ledger/ledger.ts';
import { planWithdrawalPaymentResult } from '../../functions/withdrawals/public.ts';
import { getWithdrawal, putWithdrawalItem } from '../../functions/withdrawals/store.ts';

const PAYEE = '6222021234567890123';
const rent = { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' };
const failure = { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' };

/** A withdrawal paid over HTTP and settled by the simulator, then (test only) given an ORDERED payment `paymentId` again. */
async function awaitingResult(paymentId: string) {
  const branch = `WP${randomUUID().slice(0, 8)}`;
  const acc = await openFundedAccount({ branch, balanceFen: 300_000 });
  const res = await call('POST', '/v1/withdrawals', { token: await memberToken(acc.accountNo), body: { accountNo: acc.accountNo, reason: 'RENT', amount: '1000', payeeBankAccount: PAYEE, evidence: rent } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const withdrawalId = res.body.withdrawalId as string;
  const settled = await pollUntil(() => getWithdrawal(withdrawalId), (w) => w?.payment?.status === 'SETTLED', 30_000);
  expect(settled?.payment?.status).toBe('SETTLED');
  await commit({ plan: async () => ({ items: [putWithdrawalItem({ ...settled!, payment: { paymentId, status: 'ORDERED' } }, 'PAID')], body: null }) });
  return { accountNo: acc.accountNo, withdrawalId, branch };
}

describe('planWithdrawalPaymentResult', () => {
  it('an unknown withdrawal is 404 NOT_FOUND; one not awaiting this payment’s result is 409 INVALID_STATE; nothing is written', async () => {
    await expect(planWithdrawalPaymentResult({ withdrawalId: `W-${randomUUID()}`, paymentId: 'P-X', status: 'SETTLED', bankRef: 'B', at: nowIso() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const paymentId = `P-${randomUUID()}`;
    const w = await awaitingResult(paymentId);
    // another payment's result, for this withdrawal
    await expect(planWithdrawalPaymentResult({ withdrawalId: w.withdrawalId, paymentId: 'P-OTHER', status: 'FAILED', bankRef: 'B', failure, at: nowIso() })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // settled, then a result again
    const items = await planWithdrawalPaymentResult({ withdrawalId: w.withdrawalId, paymentId, status: 'SETTLED', bankRef: 'B1', at: nowIso() });
    expect(items).toHaveLength(1);
    await commit({ plan: async () => ({ items, body: null }) });
    expect((await getWithdrawal(w.withdrawalId))?.payment).toMatchObject({ paymentId, status: 'SETTLED', bankRef: 'B1' });
    await expect(planWithdrawalPaymentResult({ withdrawalId: w.withdrawalId, paymentId, status: 'FAILED', bankRef: 'B2', failure, at: nowIso() })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect((await mustGetAccount(w.accountNo)).balanceFen).toBe(200_000);
  });

  it('two FAILED results committed at once: one REVERSAL, one PAYMENT_FAILED; the other re-plans into 409', async () => {
    const paymentId = `P-${randomUUID()}`;
    const w = await awaitingResult(paymentId);
    const before = await controlTotals([w.branch]);
    const once = () => commit({ plan: async () => ({ items: await planWithdrawalPaymentResult({ withdrawalId: w.withdrawalId, paymentId, status: 'FAILED', bankRef: 'B', failure, at: nowIso(), bankCode: 'SIMBANK' }), body: null }) });
    const outcomes = await Promise.allSettled([once(), once()]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'INVALID_STATE' });
    const reversals = (await allEntries(w.accountNo)).filter((e) => e.type === 'REVERSAL');
    expect(reversals.map((e) => [e.amountFen, e.ref, e.entryKey])).toEqual([[100_000, w.withdrawalId, `REVERSAL-${paymentId}`]]);
    expect(reversals[0]!.memo).toContain('ACCOUNT_NOT_FOUND');
    expect((await mustGetAccount(w.accountNo)).balanceFen).toBe(300_000);
    const after = await controlTotals([w.branch]);
    expect(after.balanceFen - before.balanceFen).toBe(100_000);
    expect((after.byTypeFen.REVERSAL ?? 0) - (before.byTypeFen.REVERSAL ?? 0)).toBe(100_000);
    const failed = await getWithdrawal(w.withdrawalId);
    expect(failed).toMatchObject({ status: 'PAYMENT_FAILED', payment: { paymentId, status: 'FAILED', failure } });
    expect(failed!.entryIds).toContain(reversals[0]!.entryId);
  });
});

describe('a FAILED payment of an account closed since by something else', () => {
  it('the money comes back all the same: the account re-opened SEALED with the amount, the withdrawal PAYMENT_FAILED', async () => {
    const paymentId = `P-${randomUUID()}`;
    const w = await awaitingResult(paymentId);
    // the rest of the balance leaves (as a transfer out would) and the account is closed
    await commit({ plan: async () => ({ items: ledgerWrite([{ account: await mustGetAccount(w.accountNo), postings: [{ amountFen: -200_000, type: 'TRANSFER_OUT', ref: 'T-OUT', valueDate: '2025-02-01' }], changes: { status: 'CLOSED', statusCode: '04', closedOn: '2025-02-01' } }]).items, body: null }) });
    const before = await controlTotals([w.branch]);
    await commit({ plan: async () => ({ items: await planWithdrawalPaymentResult({ withdrawalId: w.withdrawalId, paymentId, status: 'FAILED', bankRef: 'B', failure, at: nowIso() }), body: null }) });
    expect(await mustGetAccount(w.accountNo)).toMatchObject({ status: 'SEALED', statusCode: '02', balanceFen: 100_000 });
    expect((await getWithdrawal(w.withdrawalId))?.status).toBe('PAYMENT_FAILED');
    const after = await controlTotals([w.branch]);
    expect((after.accountsByStatus.CLOSED ?? 0) - (before.accountsByStatus.CLOSED ?? 0)).toBe(-1);
    expect((after.byTypeFen.REVERSAL ?? 0) - (before.byTypeFen.REVERSAL ?? 0)).toBe(100_000);
  });
});

describe('the ledger re-opens a CLOSED account only by a status change', () => {
  it('a credit on a CLOSED account is refused; with a change back to its status it posts, the status counts move back and closedOn is cleared', async () => {
    const branch = `WL${randomUUID().slice(0, 8)}`;
    const acc = await openFundedAccount({ branch, balanceFen: 50_000 });
    const write = (w: Omit<AccountWrite, 'account'>) =>
      commit({ plan: async () => ({ items: ledgerWrite([{ account: await mustGetAccount(acc.accountNo), ...w }]).items, body: null }) });
    await write({ postings: [{ amountFen: -50_000, type: 'WITHDRAWAL', ref: 'W-CLOSE', valueDate: '2025-02-01' }], changes: { status: 'CLOSED', statusCode: '05', closedOn: '2025-02-01' } });
    const base = await controlTotals([branch]);
    expect(base.accountsByStatus).toMatchObject({ CLOSED: 1, NORMAL: 0 });
    const credit = [{ amountFen: 50_000, type: 'REVERSAL' as const, ref: 'W-CLOSE', valueDate: '2025-02-01' }];
    await expect(write({ postings: credit })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await write({ postings: credit, changes: { status: 'NORMAL', statusCode: '01', closedOn: null } });
    const reopened = await mustGetAccount(acc.accountNo);
    expect(reopened).toMatchObject({ status: 'NORMAL', statusCode: '01', balanceFen: 50_000 });
    expect(reopened).not.toHaveProperty('closedOn');
    const after = await controlTotals([branch]);
    expect(after.accountsByStatus).toMatchObject({ CLOSED: 0, NORMAL: 1 });
    expect(after.balanceFen).toBe(50_000);
  });
});
