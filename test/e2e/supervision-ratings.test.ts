// POST /v1/ratings over HTTP: one rating per completed transaction of the member's own; the
// indicators report the period's ratings city-wide and per branch.
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { call, auditorToken, memberToken, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { businessDate } from '../../shared/clock.ts';

const rent = (accountNo: string) => ({ accountNo, reason: 'RENT', amount: '100.00', payeeBankAccount: '6222020000000001', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: `WF-${randomUUID().slice(0, 6)}` } });
const purchase = (accountNo: string, cert: string) => ({ accountNo, reason: 'PURCHASE', amount: '500.00', payeeBankAccount: '6222020000000001', evidence: { contractNo: `HT-${randomUUID().slice(0, 6)}`, propertyCertificateNo: cert, price: '900000.00', purchaseDate: businessDate() } });

describe('satisfaction ratings', () => {
  it('rates an own completed withdrawal once; others’, unknown, unfinished and repeated ratings are refused; indicators count them', async () => {
    const branch = `RT${randomUUID().slice(0, 6)}`;
    const a = await openFundedAccount({ branch, balanceFen: 200_000 });
    const b = await openFundedAccount({ branch, balanceFen: 200_000 });
    const asA = await memberToken(a.accountNo);
    const asB = await memberToken(b.accountNo);
    const wa = await call('POST', '/v1/withdrawals', { token: asA, body: rent(a.accountNo) });
    expect(wa.body.status, JSON.stringify(wa.body)).toBe('PAID');
    const wb = await call('POST', '/v1/withdrawals', { token: asB, body: rent(b.accountNo) });
    expect(wb.body.status).toBe('PAID');
    const indicators = async (q = `?branch=${branch}`) => (await call('GET', `/v1/supervision/indicators${q}`, { token: await auditorToken() })).body;
    expect((await indicators()).satisfaction).toEqual({ ratings: 0, average: null });

    const rating = { subjectType: 'WITHDRAWAL', subjectId: wa.body.withdrawalId, score: 5, comment: '办理很快' };
    const first = await call('POST', '/v1/ratings', { token: asA, body: rating });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ subjectType: 'WITHDRAWAL', subjectId: wa.body.withdrawalId, score: 5 });
    // a second rating of the same transaction (another key)
    const again = await call('POST', '/v1/ratings', { token: asA, body: { ...rating, score: 1 } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CONFLICT');
    // the same request again is a replay, not a second rating
    const key = randomUUID();
    const onB = { subjectType: 'WITHDRAWAL', subjectId: wb.body.withdrawalId, score: 4 };
    expect((await call('POST', '/v1/ratings', { token: asB, body: onB, idem: key })).status).toBe(201);
    const replay = await call('POST', '/v1/ratings', { token: asB, body: onB, idem: key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotency-replayed')).toBe('true');

    // another member's transaction, and one that does not exist: 404 alike
    const others = await call('POST', '/v1/ratings', { token: asB, body: { ...rating, subjectId: wa.body.withdrawalId } });
    expect(others.status).toBe(404);
    expect((await call('POST', '/v1/ratings', { token: asA, body: { ...rating, subjectId: `W${randomUUID().replace(/-/g, '')}` } })).status).toBe(404);
    expect((await call('POST', '/v1/ratings', { token: asA, body: { ...rating, subjectType: 'LOAN', subjectId: `L${randomUUID().replace(/-/g, '')}` } })).status).toBe(404);
    expect((await call('POST', '/v1/ratings', { token: asA, body: { ...rating, subjectType: 'TRANSFER', subjectId: `T${randomUUID().replace(/-/g, '').slice(0, 20)}` } })).status).toBe(404);

    // an unfinished one: a purchase under review (the property was claimed by another household)
    const cert = `浙(2026)杭州市不动产权第${randomUUID().slice(0, 7)}号`;
    expect((await call('POST', '/v1/withdrawals', { token: asA, body: purchase(a.accountNo, cert) })).status).toBe(201);
    const pending = await call('POST', '/v1/withdrawals', { token: asB, body: purchase(b.accountNo, cert) });
    expect(pending.body.status).toBe('PENDING_REVIEW');
    const unfinished = await call('POST', '/v1/ratings', { token: asB, body: { subjectType: 'WITHDRAWAL', subjectId: pending.body.withdrawalId, score: 3 } });
    expect(unfinished.status).toBe(409);
    expect(unfinished.body.code).toBe('INVALID_STATE');

    // only members rate; scores are whole 1–5
    expect((await call('POST', '/v1/ratings', { token: await staffToken(branch), body: rating })).status).toBe(403);
    for (const score of [0, 6, 2.5, '5']) {
      const res = await call('POST', '/v1/ratings', { token: asA, body: { ...rating, score } });
      expect(res.status, String(score)).toBe(400);
    }
    expect((await call('POST', '/v1/ratings', { token: asA, body: { ...rating, subjectType: 'REMITTANCE' } })).status).toBe(400);

    // two ratings in the branch this period: 5 and 4
    expect((await indicators()).satisfaction).toEqual({ ratings: 2, average: '4.50' });
    const city = (await indicators('')).satisfaction;
    expect(city.ratings).toBeGreaterThanOrEqual(2);
    expect(city.average).toMatch(/^[1-5]\.\d{2}$/);
  });

  it('two concurrent ratings of one transaction: one 201, one 409 CONFLICT, counted once', async () => {
    const branch = `RC${randomUUID().slice(0, 6)}`;
    const a = await openFundedAccount({ branch, balanceFen: 200_000 });
    const asA = await memberToken(a.accountNo);
    const w = await call('POST', '/v1/withdrawals', { token: asA, body: rent(a.accountNo) });
    const body = { subjectType: 'WITHDRAWAL', subjectId: w.body.withdrawalId, score: 3 };
    const results = await Promise.all([1, 2, 3].map(() => call('POST', '/v1/ratings', { token: asA, body })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const ind = (await call('GET', `/v1/supervision/indicators?branch=${branch}`, { token: await auditorToken() })).body;
    expect(ind.satisfaction).toEqual({ ratings: 1, average: '3.00' });
  });
});
