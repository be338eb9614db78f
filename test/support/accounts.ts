// A ledger account as the pure rules see it (no store): a flexible-employment member's, NORMAL, at a
// base of 8,000.00 and 12 %, opened on 2025-01-01, with 100,000.00. Tests override what they test.
import type { Account } from '../../shared/ledger/account.ts';

export const flexibleAccount = (over: Partial<Account> = {}): Account => ({
  accountNo: '123456789012',
  idNumber: '110101199003077777',
  name: '张三',
  kind: 'FLEXIBLE',
  branch: 'SC',
  status: 'NORMAL',
  statusCode: '01',
  monthlyBaseFen: 800_000,
  employerRatePercent: 0,
  employeeRatePercent: 12,
  monthlyAmountFen: 96_000,
  balanceFen: 10_000_000,
  version: 1,
  accrualYear: 2027,
  accrualFenDays: 0,
  accrualDate: '2026-11-27',
  unsettledAccruals: {},
  paidPeriods: [],
  openedOn: '2025-01-01',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...over,
});
