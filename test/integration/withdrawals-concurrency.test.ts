// Concurrent withdrawals never overdraw: the balance check and the debit are one conditional write.
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { call, memberToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { allEntries, controlTotals, mustGetAccount } from '../../shared/ledger/ledger.ts';
import { addDays, businessDate } from '../../shared/clock.ts';

const PAYEE = '6222021234567890123';

describe('concurrent withdrawals against one account', () => {
  it('20 at once, balance for exactly 7: 7 PAID, 13 INSUFFICIENT_BALANCE, balance = Σ entries, totals moved by the paid sum', async () => {
    const branch = `WC${randomUUID().slice(0, 8)}`;
    const acc = await openFundedAccount({ balanceFen: 70_000, branch }); // 700.00 = 7 × 100.00
    const token = await memberToken(acc.accountNo);
    const before = await controlTotals([branch]);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        call('POST', '/v1/withdrawals', {
          token,
          body: { accountNo: acc.accountNo, payeeBankAccount: PAYEE, reason: 'RENT', amount: '100', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' } },
        }),
      ),
    );
    const paid = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(paid).toHaveLength(7);
    expect(paid.every((r) => r.body.status === 'PAID' && r.body.amount === '100.00')).toBe(true);
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(Array.from({ length: 13 }, () => [409, 'INSUFFICIENT_BALANCE']));

    const account = await mustGetAccount(acc.accountNo);
    const entries = await allEntries(acc.accountNo);
    expect(account.balanceFen).toBe(0);
    expect(entries.reduce((s, e) => s + e.amountFen, 0)).toBe(account.balanceFen);
    expect(entries.filter((e) => e.type === 'WITHDRAWAL').map((e) => e.ref).sort()).toEqual(paid.map((r) => r.body.withdrawalId).sort());
    const after = await controlTotals([branch]);
    expect(after.balanceFen - before.balanceFen).toBe(-70_000);
    expect((after.byTypeFen.WITHDRAWAL ?? 0) - (before.byTypeFen.WITHDRAWAL ?? 0)).toBe(-70_000);
    expect(after.entries - before.entries).toBe(7);
  });

  it('concurrent claims on one property are serialised by the claim index: one paid, the rest to review', async () => {
    const branch = `WC${randomUUID().slice(0, 8)}`;
    const acc = await openFundedAccount({ balanceFen: 10_000_000, branch });
    const token = await memberToken(acc.accountNo);
    const evidence = { contractNo: 'HT-1', propertyCertificateNo: `ZH-${randomUUID()}`, price: '300000', purchaseDate: addDays(businessDate(), -10) };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', '/v1/withdrawals', { token, body: { accountNo: acc.accountNo, payeeBankAccount: PAYEE, reason: 'PURCHASE', amount: '1000', evidence } })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(results.map((r) => r.body.status).sort()).toEqual(['PAID', 'PENDING_REVIEW', 'PENDING_REVIEW', 'PENDING_REVIEW', 'PENDING_REVIEW']);
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(9_900_000);
  });
});
