// GET /v1/archive/{subjectType}/{subjectId} over HTTP: the archive of a withdrawal made through the
// API, oldest first, to those it belongs to; everyone else (and an empty archive) gets 404.
import { describe, it, expect } from 'vitest';
import { randomUUID, createHash } from 'node:crypto';
import { call, auditorToken, memberToken, staffToken, unitToken, adminToken, token } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { registerUnit } from './deposits-fixtures.ts';

describe('the archive route', () => {
  it('shows a withdrawal’s records to its member, the staff of its branch, city staff and auditors; 404 to anyone else', async () => {
    const branch = `AR${randomUUID().slice(0, 6)}`;
    const acc = await openFundedAccount({ branch, balanceFen: 100_000 });
    const body = { accountNo: acc.accountNo, reason: 'RENT', amount: '100.00', payeeBankAccount: '6222020000000001', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: `WF-${randomUUID().slice(0, 6)}` } };
    const w = await call('POST', '/v1/withdrawals', { token: await memberToken(acc.accountNo), body });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    const path = `/v1/archive/WITHDRAWAL/${w.body.withdrawalId}`;

    const own = await call('GET', path, { token: await memberToken(acc.accountNo) });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body).toMatchObject({ subjectType: 'WITHDRAWAL', subjectId: w.body.withdrawalId });
    expect(own.body.records.length).toBeGreaterThanOrEqual(1);
    const first = own.body.records[0];
    expect(first).toMatchObject({ actor: { sub: `member-${acc.accountNo}`, role: 'member' } });
    expect(typeof first.action).toBe('string');
    expect(first.submittedSha256).toBe(createHash('sha256').update(canonicalJson(first.submitted ?? null)).digest('hex'));
    for (const r of own.body.records) {
      expect(Object.keys(r).sort()).toEqual(expect.arrayContaining(['action', 'actor', 'at', 'submitted', 'submittedSha256']));
      expect(r).not.toHaveProperty('owner');
    }
    const ats = own.body.records.map((r: any) => r.at);
    expect([...ats].sort()).toEqual(ats); // oldest first

    for (const t of [await staffToken(branch), await staffToken('*'), await auditorToken()]) {
      const res = await call('GET', path, { token: t });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(own.body);
    }
    const other = await openFundedAccount({ branch });
    for (const t of [await memberToken(other.accountNo), await staffToken('ELSEWHERE'), await unitToken('U-NOT-THE-OWNER'), await adminToken()]) {
      const res = await call('GET', path, { token: t });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
    // issue 14 (deny by default): a staff token without a branch acts nowhere, on any route: 403
    const branchless = await call('GET', path, { token: await token({ role: 'staff' }) });
    expect([branchless.status, branchless.body.code]).toEqual([403, 'FORBIDDEN']);
    expect(JSON.stringify(branchless.body)).not.toContain(w.body.withdrawalId);
    // an archive that does not exist answers exactly like one the caller may not see
    const none = await call('GET', `/v1/archive/WITHDRAWAL/W-${randomUUID()}`, { token: await auditorToken() });
    expect(none.status).toBe(404);
    expect((await call('GET', path))).toMatchObject({ status: 401 });
    const bad = await call('GET', `/v1/archive/PAYSLIP/${w.body.withdrawalId}`, { token: await auditorToken() });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('shows a unit’s records to the unit itself', async () => {
    const branch = `AU${randomUUID().slice(0, 6)}`;
    const unit = await registerUnit(branch);
    const path = `/v1/archive/UNIT/${unit.unitId}`;
    const own = await call('GET', path, { token: await unitToken(unit.unitId) });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body.records[0]).toMatchObject({ actor: { role: 'staff' } });
    expect((await call('GET', path, { token: await unitToken('U-SOMEONE-ELSE') })).status).toBe(404);
    expect((await call('GET', path, { token: await staffToken(branch) })).status).toBe(200);
    expect((await call('GET', path, { token: await staffToken(`${branch}X`) })).status).toBe(404);
  });
});
