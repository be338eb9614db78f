// The demo seed fills a running system through the API; the indicators reflect it exactly.
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { runSeed } from '../../infra/local/seed.ts';
import { baseUrl, call, auditorToken } from '../support/http.ts';
import { yuanToFen } from '../../shared/money.ts';

describe('npm run seed', () => {
  it('loads units, employees, posted remittances and withdrawals; the branch indicators move by exactly that', async () => {
    const branch = `SEED${randomUUID().slice(0, 6)}`;
    const s = await runSeed({ url: baseUrl(), units: 2, employees: 10, months: 2, concurrency: 4, seed: 7, quiet: true, branches: [branch] });
    expect(s).toMatchObject({ units: 2, employees: 10, remittances: 4 });
    expect(s.creditedFen).toBeGreaterThan(0);
    const ind = (await call('GET', `/v1/supervision/indicators?branch=${branch}`, { token: await auditorToken() })).body;
    expect(ind).toMatchObject({ contributors: 10, units: 2, loanBalance: '0.00' });
    expect(yuanToFen(ind.depositBalance)).toBe(s.creditedFen - s.withdrawnFen);
  }, 180_000);
});
