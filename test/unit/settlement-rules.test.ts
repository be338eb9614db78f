// Pure rules of the settlement domain: which PAYMENT account serves a branch (api.md: branches absent =
// every branch; several → the one registered last), collection accounts, payment results, back-off.
import { describe, expect, it } from 'vitest';
import { isCollectionAccountOf, registeredAccounts, resendDelayMs, resultDecision, servingPaymentAccount, serves } from '../../functions/settlement/domain/rules.ts';

const T1 = '2026-01-01T00:00:00.000Z';
const T2 = '2026-02-01T00:00:00.000Z';

describe('servingPaymentAccount', () => {
  it('an account without branches serves every branch; one with branches only those', () => {
    expect(serves({}, 'HZ01')).toBe(true);
    expect(serves({ branches: ['HZ01'] }, 'HZ01')).toBe(true);
    expect(serves({ branches: ['HZ01'] }, 'HZ02')).toBe(false);
    // the city (no branch): only an account serving every branch
    expect(serves({ branches: ['HZ01'] }, undefined)).toBe(false);
    expect(serves({}, undefined)).toBe(true);
  });

  it('only PAYMENT accounts pay; none serving the branch is undefined', () => {
    const banks = [{ bankCode: 'B1', accounts: registeredAccounts([{ accountNo: '11110000', purpose: 'COLLECTION' }, { accountNo: '11110001', purpose: 'PAYMENT', branches: ['HZ01'] }], T1) }];
    expect(servingPaymentAccount(banks, 'HZ01')?.account.accountNo).toBe('11110001');
    expect(servingPaymentAccount(banks, 'HZ02')).toBeUndefined();
    expect(servingPaymentAccount([], 'HZ01')).toBeUndefined();
  });

  it('anyBranch (a city-level refund from the bank the money came to): any PAYMENT account of those banks, the one registered last', () => {
    const banks = [{ bankCode: 'B1', accounts: registeredAccounts([{ accountNo: '11110000', purpose: 'COLLECTION' }, { accountNo: '11110001', purpose: 'PAYMENT', branches: ['HZ01'] }, { accountNo: '11110002', purpose: 'PAYMENT', branches: ['HZ02'] }], T1) }];
    expect(servingPaymentAccount(banks, undefined)).toBeUndefined(); // no account serves the whole city
    expect(servingPaymentAccount(banks, undefined, { anyBranch: true })?.account.accountNo).toBe('11110002');
    expect(servingPaymentAccount([{ bankCode: 'B2', accounts: registeredAccounts([{ accountNo: '2', purpose: 'COLLECTION' }], T1) }], undefined, { anyBranch: true })).toBeUndefined();
  });

  it('several serving a branch: the one registered last (later registration, then later in the list)', () => {
    const b1 = { bankCode: 'B1', accounts: registeredAccounts([{ accountNo: '10000001', purpose: 'PAYMENT' }, { accountNo: '10000002', purpose: 'PAYMENT', branches: ['HZ01'] }], T1) };
    const b2 = { bankCode: 'B2', accounts: registeredAccounts([{ accountNo: '20000001', purpose: 'PAYMENT', branches: ['HZ02'] }], T2) };
    expect(servingPaymentAccount([b1, b2], 'HZ01')).toEqual({ bankCode: 'B1', account: expect.objectContaining({ accountNo: '10000002' }) });
    expect(servingPaymentAccount([b2, b1], 'HZ01')?.account.accountNo).toBe('10000002'); // order of banks does not matter
    expect(servingPaymentAccount([b1, b2], 'HZ02')?.account.accountNo).toBe('20000001'); // registered later than B1's every-branch account
    expect(servingPaymentAccount([b1, b2], 'HZ03')?.account.accountNo).toBe('10000001'); // only B1's every-branch account
    const b3 = { bankCode: 'B3', accounts: registeredAccounts([{ accountNo: '30000001', purpose: 'PAYMENT' }], T2) };
    expect(servingPaymentAccount([b1, b2, b3], 'HZ01')?.account.accountNo).toBe('30000001');
  });

  it('registration keeps the list order and drops duplicate branches', () => {
    const accounts = registeredAccounts([{ accountNo: '1', purpose: 'PAYMENT', branches: ['A', 'A', 'B'] }, { accountNo: '2', purpose: 'COLLECTION' }], T1);
    expect(accounts).toEqual([
      { accountNo: '1', purpose: 'PAYMENT', branches: ['A', 'B'], registeredAt: T1, seq: 0 },
      { accountNo: '2', purpose: 'COLLECTION', registeredAt: T1, seq: 1 },
    ]);
  });
});

describe('notices and results', () => {
  it('a notice must be to one of the bank’s COLLECTION accounts', () => {
    const bank = { accounts: registeredAccounts([{ accountNo: '11110000', purpose: 'COLLECTION' }, { accountNo: '11110001', purpose: 'PAYMENT' }], T1) };
    expect(isCollectionAccountOf(bank, '11110000')).toBe(true);
    expect(isCollectionAccountOf(bank, '11110001')).toBe(false);
    expect(isCollectionAccountOf(bank, '99999999')).toBe(false);
  });

  it('a result applies once; the same again is SAME; another is CONFLICT', () => {
    expect(resultDecision({ status: 'ORDERED' }, 'SETTLED', 'R1')).toBe('APPLY');
    expect(resultDecision({ status: 'SETTLED', bankRef: 'R1' }, 'SETTLED', 'R1')).toBe('SAME');
    expect(resultDecision({ status: 'SETTLED', bankRef: 'R1' }, 'FAILED', 'R1')).toBe('CONFLICT');
    expect(resultDecision({ status: 'FAILED', bankRef: 'R1' }, 'FAILED', 'R2')).toBe('CONFLICT');
  });

  it('re-sends back off: 30 s doubling, at most an hour', () => {
    expect([1, 2, 3, 4].map(resendDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(resendDelayMs(30)).toBe(3_600_000);
  });
});
