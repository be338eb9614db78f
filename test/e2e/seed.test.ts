// The demo seed (infra/local/seed.ts) against the test runtime, tiny: units, employees, six months of
// posted remittances, withdrawals and loans, all through the API. The remitted total is the domain's
// monthly deposit of every employee for every month, and the branch's indicators move by exactly what
// was posted, withdrawn and lent.
import { describe, it, expect } from 'vitest';
import { runSeed } from '../../infra/local/seed.ts';
import { baseUrl, call, auditorToken, staffToken } from '../support/http.ts';
import { D, roundFen, yuanToFen } from '../../shared/money.ts';
import { uniqueBranch } from './deposits-fixtures.ts';

/** round(base × rate%) half-up to the fen (domain.md §2). */
const shareFen = (base: string, ratePercent: string) => roundFen(new D(yuanToFen(base)).times(ratePercent).div(100));

describe('npm run seed', () => {
  it('seeds through the API; the remitted total follows the contribution rule and the branch indicators move by it', async () => {
    const branch = uniqueBranch('SEED');
    const s = await runSeed({ url: baseUrl(), units: 2, employees: 10, months: 6, withdrawals: 2, loans: 2, branches: [branch], concurrency: 4, seed: 7, verbose: false });
    expect(s).toMatchObject({ employees: 10, remittances: 12 });
    expect(s.unitIds).toHaveLength(2);
    expect(s.periods).toHaveLength(6);

    const staff = await staffToken(branch);
    let monthlyFen = 0;
    for (const unitId of s.unitIds) {
      const unit = (await call('GET', `/v1/units/${unitId}`, { token: staff })).body;
      const employees = (await call('GET', `/v1/units/${unitId}/employees?limit=200`, { token: staff })).body.items;
      for (const e of employees) monthlyFen += shareFen(e.monthlyBase, unit.employerRate) + shareFen(e.monthlyBase, unit.employeeRate);
    }
    expect(yuanToFen(s.remitted)).toBe(6 * monthlyFen);
    expect(s.withdrawals.paid + s.withdrawals.reviewedAndPaid).toBe(2);
    expect(s.loans).toMatchObject({ disbursed: 2, notEligible: 0 });

    const indicators = (await call('GET', `/v1/supervision/indicators?branch=${branch}`, { token: await auditorToken() })).body;
    expect(indicators.contributors).toBe(10);
    expect(indicators.units).toBe(2);
    expect(yuanToFen(indicators.depositBalance)).toBe(yuanToFen(s.remitted) - yuanToFen(s.withdrawals.amount));
    expect(yuanToFen(indicators.loanBalance)).toBe(yuanToFen(s.loans.principal));
  }, 120_000);
});
