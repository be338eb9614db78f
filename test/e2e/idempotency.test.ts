// Issue 2's acceptance test over HTTP: 50 concurrent postings to one account under 10 idempotency
// keys (5 requests each) → exactly 10 entries, the right balance, balanced control totals and
// Idempotency-Replayed on the repeats.
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { call, staffToken, token } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { allEntries, controlTotals, mustGetAccount } from '../../shared/ledger/ledger.ts';

describe('idempotent money POSTs under concurrency', () => {
  it('50 concurrent deposits under 10 keys post exactly 10 entries', async () => {
    const staff = await staffToken('*');
    // a member opens their own flexible account (the token's subject is their resident ID)
    const idNumber = randomResidentId();
    const member = await token({ role: 'member', sub: idNumber });
    const opened = await call('POST', '/v1/flexible-accounts', { token: member, body: { idNumber, name: '灵活就业', monthlyBase: '5000.00', rate: '20' } });
    expect(opened.status).toBe(201);
    const accountNo: string = opened.body.accountNo;
    const account = await mustGetAccount(accountNo);
    const totalsBefore = await controlTotals([account.branch]);

    const keys = Array.from({ length: 10 }, () => randomUUID());
    const requests = keys.flatMap((key, i) =>
      Array.from({ length: 5 }, () =>
        call('POST', `/v1/accounts/${accountNo}/deposits`, { token: staff, idem: key, body: { period: `2025-${String(i + 1).padStart(2, '0')}`, amount: '1000.00', bankRef: `B-${i}` } }),
      ),
    );
    const results = await Promise.all(requests);
    expect(results.filter((r) => r.status !== 201).map((r) => r.body)).toEqual([]);
    const replayed = results.filter((r) => r.headers.get('idempotency-replayed') === 'true');
    expect(replayed).toHaveLength(40);
    for (const [i, key] of keys.entries()) {
      const bodies = results.slice(i * 5, i * 5 + 5).map((r) => JSON.stringify(r.body));
      expect(new Set(bodies).size, `responses for key ${key}`).toBe(1);
    }
    const expectedFen = 10 * 100_000; // ten periods of 5,000.00 × 20%
    const after = await mustGetAccount(accountNo);
    const entries = await allEntries(accountNo);
    expect(entries).toHaveLength(10);
    expect(after.balanceFen).toBe(expectedFen);
    expect(entries.reduce((s, e) => s + e.amountFen, 0)).toBe(after.balanceFen);
    expect((await controlTotals([account.branch])).balanceFen - totalsBefore.balanceFen).toBe(expectedFen);

    // the same key with another body is refused and changes nothing
    const reused = await call('POST', `/v1/accounts/${accountNo}/deposits`, { token: staff, idem: keys[0], body: { period: '2025-01', amount: '1000.00', bankRef: 'B-other' } });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const missing = await call('POST', `/v1/accounts/${accountNo}/deposits`, { token: staff, idem: false, body: { period: '2025-11', amount: '1000.00', bankRef: 'B-y' } });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('IDEMPOTENCY_KEY_MISSING');
    expect((await mustGetAccount(accountNo)).balanceFen).toBe(expectedFen);
  });
});
