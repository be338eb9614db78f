// Collection (归集) over HTTP against the local runtime: every route of api.md "Collection" with its
// refusals and problem codes. Golden amounts from domain.md §2 are written literally.
import { describe, it, expect } from 'vitest';
import { call, staffToken, unitToken, memberToken, auditorToken, adminToken, token } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { unitDeferrals } from '../../functions/deposits/public.ts';
import { randomCreditCode, registerUnit, uniqueBranch, pollUntil } from './deposits-fixtures.ts';

const hire = (unitId: string, tok: string, body: Record<string, unknown>, idem?: string) => call('POST', `/v1/units/${unitId}/employees`, { token: tok, body, idem });
const badCheck = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0');

describe('units', () => {
  it('registers a unit (201) and replays the same key with the same body', async () => {
    const branch = uniqueBranch('U');
    const body = { name: '甲公司', creditCode: randomCreditCode(), branch, payDay: 15, employerRate: '12', employeeRate: 10 };
    const clerk = await staffToken(branch); // keys are scoped to the caller
    const first = await call('POST', '/v1/units', { token: clerk, body, idem: `reg-${branch}` });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: '甲公司', creditCode: body.creditCode, branch, payDay: 15, employerRate: '12', employeeRate: '10', status: 'ACTIVE', headcount: 0 });
    expect(first.body.unitId).toEqual(expect.any(String));
    expect(first.body.startPeriod).toMatch(/^[0-9]{4}-[0-9]{2}$/);
    const again = await call('POST', '/v1/units', { token: clerk, body, idem: `reg-${branch}` });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const reused = await call('POST', '/v1/units', { token: clerk, body: { ...body, payDay: 16 }, idem: `reg-${branch}` });
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const dup = await call('POST', '/v1/units', { token: await staffToken(branch), body });
    expect([dup.status, dup.body.code]).toEqual([409, 'CONFLICT']);
  });

  it('refuses bad input (400), foreign-branch staff and other roles (403), a missing key (400)', async () => {
    const branch = uniqueBranch('U');
    const ok = { name: '乙公司', creditCode: randomCreditCode(), branch, payDay: 10, employerRate: '12', employeeRate: '12' };
    const cc = ok.creditCode;
    const wrongCheck = cc.slice(0, 17) + (cc[17] === '0' ? '1' : '0');
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, creditCode: wrongCheck }, 'body.creditCode'],
      [{ ...ok, employerRate: '13' }, 'body.employerRate'],
      [{ ...ok, employeeRate: '4' }, 'body.employeeRate'],
      [{ ...ok, employerRate: '7.5' }, 'body.employerRate'],
      [{ ...ok, payDay: 29 }, 'body.payDay'],
      [{ ...ok, extra: 1 }, ''],
    ];
    for (const [body, path] of cases) {
      const res = await call('POST', '/v1/units', { token: await staffToken(branch), body });
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
      if (path) expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await call('POST', '/v1/units', { token: await staffToken('ELSEWHERE'), body: ok })).body.code).toBe('FORBIDDEN');
    expect((await call('POST', '/v1/units', { token: await unitToken('U1'), body: ok })).status).toBe(403);
    expect((await call('POST', '/v1/units', { token: await staffToken(branch), body: ok, idem: false })).body.code).toBe('IDEMPOTENCY_KEY_MISSING');
    expect((await call('POST', '/v1/units', { body: ok })).status).toBe(401);
  });

  it('GET/PATCH for its staff and own agent only; a ratio change applies from the next unpaid period', async () => {
    const branch = uniqueBranch('U');
    const unit = await registerUnit(branch);
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId) })).status).toBe(200);
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: await staffToken('*') })).status).toBe(200);
    // issue 14: another unit's agent and another branch's staff get the 404 of an unknown unit
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: await unitToken('UOTHER') })).body.code).toBe('NOT_FOUND');
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: await staffToken('ELSEWHERE') })).body.code).toBe('NOT_FOUND');
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: await memberToken('100000000001') })).status).toBe(403);
    expect((await call('GET', `/v1/units/UNOSUCHUNIT`, { token: await staffToken('*') })).body.code).toBe('NOT_FOUND');
    expect((await call('PATCH', `/v1/units/${unit.unitId}`, { token: await unitToken('UOTHER'), body: { payDay: 3 } })).body.code).toBe('NOT_FOUND');
    expect((await call('PATCH', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId), body: { employerRate: '14' } })).body.code).toBe('VALIDATION_FAILED');
    expect((await call('PATCH', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId), body: {} })).body.code).toBe('VALIDATION_FAILED');

    await hire(unit.unitId, await unitToken(unit.unitId), { idNumber: randomResidentId(), name: '王五', monthlyBase: '8000' });
    const rem = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: await unitToken(unit.unitId), body: { period: '2025-03' } });
    expect(rem.body.totalAmount).toBe('1920.00');
    const patched = await call('PATCH', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId), body: { employerRate: '8', payDay: 20 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ employerRate: '8', employeeRate: '12', payDay: 20, ratesEffectiveFrom: '2025-04' });
    // 8,000.00 × 8% = 640.00 + 960.00 from 2025-04; 2025-02 (back-pay) keeps 12% + 12%
    const next = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: await unitToken(unit.unitId), body: { period: '2025-04' } });
    expect(next.body).toMatchObject({ totalAmount: '1600.00', employerRate: '8', employeeRate: '12' });
    const back = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: await unitToken(unit.unitId), body: { period: '2025-02', kind: 'BACKPAY' } });
    expect(back.body).toMatchObject({ kind: 'BACKPAY', totalAmount: '1920.00' });
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId) })).body.headcount).toBe(1);
  });
});

describe('employees and accounts', () => {
  it('hires, refuses bad ID/base/duplicates, seals, and re-opens a sealed account under another unit', async () => {
    const branch = uniqueBranch('E');
    const a = await registerUnit(branch);
    const b = await registerUnit(branch);
    const idNumber = randomResidentId();
    const res = await hire(a.unitId, await unitToken(a.unitId), { idNumber, name: '张三', monthlyBase: '6543.21' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ unitId: a.unitId, name: '张三', status: 'NORMAL', monthlyBase: '6543.21', monthlyAmount: '1570.38', balance: '0.00', reopened: false, startPeriod: '2025-01' });
    expect(res.body.idNumberMasked).toBe(idNumber.slice(0, 6) + '********' + idNumber.slice(14));
    const accountNo = res.body.accountNo;

    expect((await hire(a.unitId, await unitToken(a.unitId), { idNumber: badCheck(randomResidentId()), name: '李四', monthlyBase: '8000' })).body.code).toBe('VALIDATION_FAILED');
    const low = await hire(a.unitId, await unitToken(a.unitId), { idNumber: randomResidentId(), name: '李四', monthlyBase: '1999.99' });
    expect([low.status, low.body.code]).toEqual([422, 'POLICY_VIOLATION']);
    expect((await hire(a.unitId, await unitToken(a.unitId), { idNumber: randomResidentId(), name: '李四', monthlyBase: '24000.01' })).body.code).toBe('POLICY_VIOLATION');
    expect((await hire(a.unitId, await unitToken(a.unitId), { idNumber: randomResidentId(), name: '李四', monthlyBase: 8000 })).body.code).toBe('VALIDATION_FAILED');
    expect((await hire(a.unitId, await unitToken(a.unitId), { idNumber, name: '张三', monthlyBase: '8000' })).body.code).toBe('CONFLICT');
    // issue 14: another unit's agent is not told that the person has an active account (one answer for every reason)
    expect((await hire(b.unitId, await unitToken(b.unitId), { idNumber, name: '张三', monthlyBase: '8000' })).body.code).toBe('NOT_ELIGIBLE');
    expect((await hire(b.unitId, await staffToken(branch), { idNumber, name: '张三', monthlyBase: '8000' })).body.code).toBe('CONFLICT'); // staff who may read the account are
    expect((await hire(a.unitId, await unitToken(b.unitId), { idNumber: randomResidentId(), name: '赵六', monthlyBase: '8000' })).body.code).toBe('NOT_FOUND');
    expect((await hire(a.unitId, await staffToken('ELSEWHERE'), { idNumber: randomResidentId(), name: '赵六', monthlyBase: '8000' })).body.code).toBe('NOT_FOUND');

    expect((await call('POST', `/v1/units/${b.unitId}/employees/${accountNo}/seal`, { token: await unitToken(b.unitId) })).body.code).toBe('NOT_FOUND');
    const sealed = await call('POST', `/v1/units/${a.unitId}/employees/${accountNo}/seal`, { token: await unitToken(a.unitId) });
    expect([sealed.status, sealed.body.status]).toEqual([200, 'SEALED']);
    expect((await call('POST', `/v1/units/${a.unitId}/employees/${accountNo}/seal`, { token: await unitToken(a.unitId) })).body.code).toBe('INVALID_STATE');
    expect((await call('GET', `/v1/units/${a.unitId}`, { token: await unitToken(a.unitId) })).body.headcount).toBe(0);

    expect((await hire(b.unitId, await unitToken(b.unitId), { idNumber, name: '张三丰', monthlyBase: '8000' })).body.code).toBe('NOT_ELIGIBLE');
    expect((await hire(b.unitId, await staffToken(branch), { idNumber, name: '张三丰', monthlyBase: '8000' })).body.code).toBe('POLICY_VIOLATION');
    const reopened = await hire(b.unitId, await unitToken(b.unitId), { idNumber, name: '张三', monthlyBase: '8000' });
    expect(reopened.status).toBe(201);
    expect(reopened.body).toMatchObject({ accountNo, unitId: b.unitId, status: 'NORMAL', reopened: true, monthlyAmount: '1920.00' });

    const listed = await call('GET', `/v1/units/${b.unitId}/employees?limit=1`, { token: await unitToken(b.unitId) });
    expect(listed.body.items.map((i: { accountNo: string }) => i.accountNo)).toEqual([accountNo]);
    expect((await call('GET', `/v1/units/${a.unitId}/employees`, { token: await unitToken(a.unitId) })).body.items).toEqual([]);
    expect((await call('GET', `/v1/units/${a.unitId}/employees?limit=500`, { token: await unitToken(a.unitId) })).body.code).toBe('VALIDATION_FAILED');
  });

  it('an account is read by its owner, its unit, the branch staff and auditors; others get 404', async () => {
    const branch = uniqueBranch('R');
    const unit = await registerUnit(branch);
    const acc = (await hire(unit.unitId, await unitToken(unit.unitId), { idNumber: randomResidentId(), name: '钱七', monthlyBase: '8000' })).body.accountNo;
    for (const tok of await Promise.all([memberToken(acc), unitToken(unit.unitId), staffToken(branch), auditorToken()])) {
      const res = await call('GET', `/v1/accounts/${acc}`, { token: tok });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(expect.arrayContaining(['accountNo', 'name', 'idNumberMasked', 'unitId', 'status', 'monthlyBase', 'monthlyAmount', 'balance', 'lastPaidPeriod', 'openedOn']));
    }
    for (const tok of await Promise.all([memberToken('100000000001'), unitToken('UOTHER'), staffToken('ELSEWHERE')])) {
      expect((await call('GET', `/v1/accounts/${acc}`, { token: tok })).body.code).toBe('NOT_FOUND');
      expect((await call('GET', `/v1/accounts/${acc}/entries`, { token: tok })).body.code).toBe('NOT_FOUND');
    }
    expect((await call('GET', `/v1/accounts/${acc}`, { token: await adminToken() })).status).toBe(403);
  });

  it('annual base adjustment: every base in range and every account of the unit, once a year', async () => {
    const branch = uniqueBranch('A');
    const unit = await registerUnit(branch);
    const other = await registerUnit(branch);
    const t = await unitToken(unit.unitId);
    const accs = [];
    for (let i = 0; i < 3; i++) accs.push((await hire(unit.unitId, t, { idNumber: randomResidentId(), name: `员工${i}`, monthlyBase: '5000' })).body.accountNo);
    const foreign = (await hire(other.unitId, await unitToken(other.unitId), { idNumber: randomResidentId(), name: '外单位', monthlyBase: '5000' })).body.accountNo;
    const path = `/v1/units/${unit.unitId}/base-adjustments`;
    const outOfRange = await call('POST', path, { token: t, body: { year: 2026, items: [{ accountNo: accs[0], monthlyBase: '8000' }, { accountNo: accs[1], monthlyBase: '30000' }] } });
    expect([outOfRange.status, outOfRange.body.code]).toEqual([422, 'POLICY_VIOLATION']);
    expect(outOfRange.body.errors[0].path).toBe('items.1.monthlyBase');
    const notOurs = await call('POST', path, { token: t, body: { year: 2026, items: [{ accountNo: foreign, monthlyBase: '8000' }] } });
    expect(notOurs.body.code).toBe('POLICY_VIOLATION');
    expect((await call('GET', `/v1/accounts/${accs[0]}`, { token: t })).body.monthlyBase).toBe('5000.00');
    const ok = await call('POST', path, { token: t, body: { year: 2026, items: accs.map((accountNo) => ({ accountNo, monthlyBase: '8000' })) } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ year: 2026, count: 3 });
    for (const a of accs) expect((await call('GET', `/v1/accounts/${a}`, { token: t })).body).toMatchObject({ monthlyBase: '8000.00', monthlyAmount: '1920.00' });
    expect((await call('POST', path, { token: t, body: { year: 2026, items: [{ accountNo: accs[0], monthlyBase: '9000' }] } })).body.code).toBe('CONFLICT');
  });
});

describe('remittances (汇缴)', () => {
  it('creates the list, refuses a duplicate period, a wrong amount and a second settlement, and posts once', async () => {
    const branch = uniqueBranch('M');
    const unit = await registerUnit(branch);
    const t = await unitToken(unit.unitId);
    const a1 = (await hire(unit.unitId, t, { idNumber: randomResidentId(), name: '甲', monthlyBase: '8000' })).body.accountNo;
    const a2 = (await hire(unit.unitId, t, { idNumber: randomResidentId(), name: '乙', monthlyBase: '6543.21' })).body.accountNo;
    const late = (await hire(unit.unitId, t, { idNumber: randomResidentId(), name: '丙', monthlyBase: '8000', startPeriod: '2025-09' })).body.accountNo;

    const created = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: t, body: { period: '2025-06' } });
    expect(created.status).toBe(201);
    // 1,920.00 + (785.19 + 785.19) = 3,490.38; the employee starting 2025-09 is not listed
    expect(created.body).toMatchObject({ period: '2025-06', kind: 'REGULAR', status: 'AWAITING_FUNDS', headcount: 2, totalAmount: '3490.38' });
    const id = created.body.remittanceId;
    expect((await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: t, body: { period: '2025-06' } })).body.code).toBe('CONFLICT');
    expect((await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: t, body: { period: '2025-06', kind: 'BACKPAY' } })).body.code).toBe('CONFLICT');
    expect((await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: t, body: { period: '2024-12' } })).body.code).toBe('POLICY_VIOLATION');
    expect((await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: t, body: { period: '2025-13' } })).body.code).toBe('VALIDATION_FAILED');
    expect((await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: await unitToken('UOTHER'), body: { period: '2025-07' } })).body.code).toBe('NOT_FOUND');
    expect((await call('GET', `/v1/remittances/${id}`, { token: await unitToken('UOTHER') })).body.code).toBe('NOT_FOUND');

    const settle = async (body: unknown, tok?: string, idem?: string) => call('POST', `/v1/remittances/${id}/settlements`, { token: tok ?? (await staffToken(branch)), body, idem });
    const wrong = await settle({ amount: '3490.37', bankRef: 'BANK-1' });
    expect([wrong.status, wrong.body.code]).toEqual([422, 'POLICY_VIOLATION']);
    expect((await call('GET', `/v1/remittances/${id}`, { token: t })).body.status).toBe('AWAITING_FUNDS');
    expect((await settle({ amount: '3490.38', bankRef: 'BANK-1' }, t)).status).toBe(403);
    expect((await settle({ amount: '3490.38', bankRef: 'BANK-1' }, await staffToken('ELSEWHERE'))).body.code).toBe('NOT_FOUND');
    expect((await settle({ amount: 3490.38, bankRef: 'BANK-1' })).body.code).toBe('VALIDATION_FAILED');

    const key = `settle-${id}`;
    const clerk = await staffToken(branch);
    const ok = await settle({ amount: '3490.38', bankRef: 'BANK-1' }, clerk, key);
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ remittanceId: id, status: 'POSTING' });
    const replay = await settle({ amount: '3490.38', bankRef: 'BANK-1' }, clerk, key);
    expect([replay.status, replay.headers.get('idempotency-replayed')]).toEqual([202, 'true']);
    const second = await settle({ amount: '3490.38', bankRef: 'BANK-2' });
    expect([second.status, second.body.code]).toEqual([409, 'INVALID_STATE']);

    const done = await pollUntil(() => call('GET', `/v1/remittances/${id}`, { token: t }), (r) => r.body.status === 'POSTED');
    expect(done.body).toMatchObject({ status: 'POSTED', headcount: 2, totalAmount: '3490.38', postedCount: 2, postedAmount: '3490.38' });
    const acc1 = await call('GET', `/v1/accounts/${a1}`, { token: await memberToken(a1) });
    expect(acc1.body).toMatchObject({ balance: '1920.00', lastPaidPeriod: '2025-06' });
    expect((await call('GET', `/v1/accounts/${a2}`, { token: await memberToken(a2) })).body.balance).toBe('1570.38');
    expect((await call('GET', `/v1/accounts/${late}`, { token: await memberToken(late) })).body.balance).toBe('0.00');
    const entries = await call('GET', `/v1/accounts/${a1}/entries`, { token: await memberToken(a1) });
    expect(entries.body.items).toEqual([expect.objectContaining({ type: 'REMITTANCE', amount: '1920.00', balanceAfter: '1920.00', period: '2025-06', ref: id, entryId: expect.any(String), occurredAt: expect.any(String) })]);
    expect(entries.body.nextCursor).toBeNull();

    // back-pay of a missed period is its own kind, posted as BACKPAY entries; statements are newest first
    const back = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: t, body: { period: '2025-05', kind: 'BACKPAY' } });
    expect(back.body).toMatchObject({ kind: 'BACKPAY', totalAmount: '3490.38' });
    expect((await call('POST', `/v1/remittances/${back.body.remittanceId}/settlements`, { token: await staffToken('*'), body: { amount: '3490.38', bankRef: 'BANK-3' } })).status).toBe(202);
    await pollUntil(() => call('GET', `/v1/remittances/${back.body.remittanceId}`, { token: t }), (r) => r.body.status === 'POSTED');
    const after = await call('GET', `/v1/accounts/${a1}/entries?limit=1`, { token: await memberToken(a1) });
    expect(after.body.items).toEqual([expect.objectContaining({ type: 'BACKPAY', amount: '1920.00', balanceAfter: '3840.00', period: '2025-05' })]);
    const page2 = await call('GET', `/v1/accounts/${a1}/entries?limit=1&cursor=${after.body.nextCursor}`, { token: await memberToken(a1) });
    expect(page2.body.items[0]).toMatchObject({ type: 'REMITTANCE', period: '2025-06' });
    expect((await call('GET', `/v1/accounts/${a1}`, { token: await memberToken(a1) })).body.lastPaidPeriod).toBe('2025-06');
  });

  it('deferral (缓缴): staff of the branch only, no overlap, recorded for loan eligibility', async () => {
    const branch = uniqueBranch('D');
    const unit = await registerUnit(branch, { startPeriod: '2022-01' });
    const path = `/v1/units/${unit.unitId}/deferrals`;
    const body = { fromPeriod: '2022-06', toPeriod: '2022-12', reason: '疫情困难企业' };
    expect((await call('POST', path, { token: await unitToken(unit.unitId), body })).status).toBe(403);
    expect((await call('POST', path, { token: await staffToken('ELSEWHERE'), body })).body.code).toBe('NOT_FOUND');
    expect((await call('POST', path, { token: await staffToken(branch), body: { ...body, fromPeriod: '2023-01' } })).body.code).toBe('VALIDATION_FAILED');
    const ok = await call('POST', path, { token: await staffToken(branch), body });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ unitId: unit.unitId, fromPeriod: '2022-06', toPeriod: '2022-12', deferralId: expect.any(String) });
    expect((await call('POST', path, { token: await staffToken(branch), body: { ...body, fromPeriod: '2022-12', toPeriod: '2023-02' } })).body.code).toBe('CONFLICT');
    expect(await unitDeferrals(unit.unitId)).toEqual(['2022-06:2022-12']);
  });
});

describe('flexible employment (灵活就业)', () => {
  it('a member opens their own account; staff confirm one deposit per period for the monthly amount', async () => {
    const idNumber = randomResidentId();
    const self = await token({ role: 'member', sub: idNumber });
    const body = { idNumber, name: '孙八', monthlyBase: '5000', rate: '20' };
    expect((await call('POST', '/v1/flexible-accounts', { token: await token({ role: 'member', sub: randomResidentId() }), body })).body.code).toBe('FORBIDDEN');
    expect((await call('POST', '/v1/flexible-accounts', { token: self, body: { ...body, rate: '25' } })).body.code).toBe('VALIDATION_FAILED');
    expect((await call('POST', '/v1/flexible-accounts', { token: self, body: { ...body, rate: '9' } })).body.code).toBe('VALIDATION_FAILED');
    expect((await call('POST', '/v1/flexible-accounts', { token: self, body: { ...body, monthlyBase: '1000' } })).body.code).toBe('POLICY_VIOLATION');
    const opened = await call('POST', '/v1/flexible-accounts', { token: self, body });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ kind: 'FLEXIBLE', status: 'NORMAL', monthlyBase: '5000.00', monthlyAmount: '1000.00', employeeRate: '20', employerRate: '0', unitId: null });
    const acc = opened.body.accountNo;
    expect((await call('POST', '/v1/flexible-accounts', { token: await staffToken('*'), body })).body.code).toBe('CONFLICT');

    const path = `/v1/accounts/${acc}/deposits`;
    const clerk = await staffToken('*');
    expect((await call('POST', path, { token: await memberToken(acc), body: { period: '2026-01', amount: '1000', bankRef: 'B1' } })).status).toBe(403);
    expect((await call('POST', path, { token: await staffToken('*'), body: { period: '2026-01', amount: '999.99', bankRef: 'B1' } })).body.code).toBe('POLICY_VIOLATION');
    expect((await call('POST', path, { token: await staffToken('*'), body: { period: '2026-01', amount: '0', bankRef: 'B1' } })).body.code).toBe('VALIDATION_FAILED');
    const dep = await call('POST', path, { token: clerk, body: { period: '2026-01', amount: '1000', bankRef: 'B1' }, idem: `dep-${acc}` });
    expect(dep.status).toBe(201);
    expect(dep.body).toMatchObject({ type: 'DEPOSIT', amount: '1000.00', balanceAfter: '1000.00', period: '2026-01' });
    expect((await call('POST', path, { token: clerk, body: { period: '2026-01', amount: '1000', bankRef: 'B1' }, idem: `dep-${acc}` })).headers.get('idempotency-replayed')).toBe('true');
    expect((await call('POST', path, { token: await staffToken('*'), body: { period: '2026-01', amount: '1000', bankRef: 'B2' } })).body.code).toBe('CONFLICT');
    expect((await call('GET', `/v1/accounts/${acc}`, { token: await memberToken(acc) })).body).toMatchObject({ balance: '1000.00', lastPaidPeriod: '2026-01' });
  });

  it('deposits are for flexible accounts only', async () => {
    const branch = uniqueBranch('F');
    const unit = await registerUnit(branch);
    const acc = (await hire(unit.unitId, await unitToken(unit.unitId), { idNumber: randomResidentId(), name: '周九', monthlyBase: '8000' })).body.accountNo;
    const res = await call('POST', `/v1/accounts/${acc}/deposits`, { token: await staffToken(branch), body: { period: '2026-01', amount: '1920', bankRef: 'B' } });
    expect(res.body.code).toBe('POLICY_VIOLATION');
    expect((await call('POST', `/v1/accounts/${acc}/deposits`, { token: await staffToken('ELSEWHERE'), body: { period: '2026-01', amount: '1920', bankRef: 'B' } })).body.code).toBe('NOT_FOUND');
  });
});
