// Issue 14, finding 5: an idempotent replay must never answer a caller who may not see the record.
// Keys are scoped by the caller's `sub` AND its claims: a token of the same `sub` whose claims changed
// (another branch, another account) replaying a key with the same body does not get the stored
// response: it is answered as any request of its own (403/404 for a record it may not see), and the
// original token still gets its replay.
import { describe, expect, it } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { call, token } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';

const tag = () => randomUUID().slice(0, 8);

async function depositor(branch: string): Promise<Account> {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1995-03-15') });
  const current = periodOf(businessDate());
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 500_000, type: 'REMITTANCE' as const, period: addMonths(current, i - 6), ref: 'idem-fixture', valueDate: businessDate() }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

const application = (accountNo: string) => ({ accountNo, housePrice: '2000000', firstHome: true, termMonths: 120, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount: '100000' });

const replayed = (res: { headers: Headers }) => res.headers.get('idempotency-replayed') === 'true';

describe('idempotent replays are scoped by the caller and its claims', () => {
  it('a staff token of the same sub moved to another branch replays key K of an approval: 404, not the stored answer; the original token still gets the replay', async () => {
    const branchA = `IA${tag()}`;
    const branchB = `IB${tag()}`;
    const sub = `staff-${randomUUID()}`;
    const clerkA = await token({ role: 'staff', sub, branch: branchA });
    const clerkB = await token({ role: 'staff', sub, branch: branchB });
    const a = await depositor(branchA);
    const applied = await call('POST', '/v1/loans', { token: await token({ role: 'member', sub: `member-${a.accountNo}`, accountNo: a.accountNo }), body: application(a.accountNo) });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    const loanId = applied.body.loanId as string;

    const key = `K-${randomUUID()}`;
    const body = { note: '资料齐全' };
    const first = await call('POST', `/v1/loans/${loanId}/approve`, { token: clerkA, body, idem: key });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ loanId, status: 'APPROVED', accountNo: a.accountNo });

    // the same sub, the same key, the same body, another branch: the loan is not theirs to see
    const moved = await call('POST', `/v1/loans/${loanId}/approve`, { token: clerkB, body, idem: key });
    expect([moved.status, moved.body.code], JSON.stringify(moved.body)).toEqual([404, 'NOT_FOUND']);
    expect(replayed(moved)).toBe(false);
    expect(JSON.stringify(moved.body)).not.toContain(a.accountNo);
    // reading it with that token: 404 too (the answer any record it may not see gets)
    expect((await call('GET', `/v1/loans/${loanId}`, { token: clerkB })).status).toBe(404);

    // the original token still gets its stored answer
    const again = await call('POST', `/v1/loans/${loanId}/approve`, { token: clerkA, body, idem: key });
    expect(again.status).toBe(200);
    expect(replayed(again)).toBe(true);
    expect(again.body).toEqual(first.body);
  });

  it('the same for a money movement (a disbursement) and for a city-level token of the same sub: never the stored answer under other claims', async () => {
    const branchA = `IA${tag()}`;
    const sub = `staff-${randomUUID()}`;
    const clerkA = await token({ role: 'staff', sub, branch: branchA });
    const a = await depositor(branchA);
    const applied = await call('POST', '/v1/loans', { token: await token({ role: 'member', sub: `member-${a.accountNo}`, accountNo: a.accountNo }), body: application(a.accountNo) });
    const loanId = applied.body.loanId as string;
    expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: clerkA, body: {} })).status).toBe(200);

    const key = `K-${randomUUID()}`;
    const body = { payee: SELLER, disbursedOn: businessDate() };
    const first = await call('POST', `/v1/loans/${loanId}/disburse`, { token: clerkA, body, idem: key });
    expect(first.status, JSON.stringify(first.body)).toBe(200);

    const other = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await token({ role: 'staff', sub, branch: `IB${tag()}` }), body, idem: key });
    expect([other.status, replayed(other)], JSON.stringify(other.body)).toEqual([404, false]);
    // a city-level token of the same sub may see the loan: its request is its own (the loan is ACTIVE now: 409), not a replay
    const city = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await token({ role: 'staff', sub, branch: '*' }), body, idem: key });
    expect([city.status, city.body.code, replayed(city)], JSON.stringify(city.body)).toEqual([409, 'INVALID_STATE', false]);

    const again = await call('POST', `/v1/loans/${loanId}/disburse`, { token: clerkA, body, idem: key });
    expect([again.status, replayed(again)]).toEqual([200, true]);
    expect(again.body).toEqual(first.body);
  });

  it('a member token of the same sub naming another account replays key K of an application: 404, not the stored answer', async () => {
    const branch = `IM${tag()}`;
    const a = await depositor(branch);
    const b = await openFundedAccount({ branch, balanceFen: 100_000 });
    const sub = `member-${randomUUID()}`;
    const own = await token({ role: 'member', sub, accountNo: a.accountNo });
    const key = `K-${randomUUID()}`;
    const body = application(a.accountNo);
    const first = await call('POST', '/v1/loans', { token: own, body, idem: key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const changed = await call('POST', '/v1/loans', { token: await token({ role: 'member', sub, accountNo: b.accountNo }), body, idem: key });
    expect([changed.status, changed.body.code, replayed(changed)], JSON.stringify(changed.body)).toEqual([404, 'NOT_FOUND', false]);
    expect(JSON.stringify(changed.body)).not.toContain(first.body.loanId);
    const again = await call('POST', '/v1/loans', { token: own, body, idem: key });
    expect([again.status, replayed(again)]).toEqual([201, true]);
    expect(again.body).toEqual(first.body);
  });
});
