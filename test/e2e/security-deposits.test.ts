// Security of the collection (deposits) API over HTTP against the local runtime (issue 14): document
// numbers (bank references, a freeze's document number) have one canonical form, names and free text
// are printable, money and periods are bounded (no input is a 500: finding 4), and a caller who may
// not know a record cannot tell it from one that does not exist (finding 7).
import { describe, it, expect } from 'vitest';
import { call, staffToken, unitToken, auditorToken, token, type Res } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { readArchive } from '../../shared/archive.ts';
import { randomCreditCode, registerUnit, uniqueBranch, pollUntil } from './deposits-fixtures.ts';

const fullWidth = (s: string) => [...s].map((c) => (c >= '!' && c <= '~' ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('');
const hire = (unitId: string, tok: string, body: Record<string, unknown>) => call('POST', `/v1/units/${unitId}/employees`, { token: tok, body });
const problemOf = (r: Res) => ({ status: r.status, code: r.body?.code, detail: r.body?.detail, errors: r.body?.errors, title: r.body?.title, type: r.body?.type });

async function hired(unitId: string, name = '职工甲', monthlyBase = '8000') {
  const idNumber = randomResidentId();
  const res = await hire(unitId, await unitToken(unitId), { idNumber, name, monthlyBase });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { accountNo: res.body.accountNo as string, idNumber, name };
}

async function flexible(branchStaff: string) {
  const idNumber = randomResidentId();
  const res = await call('POST', '/v1/flexible-accounts', { token: await staffToken(branchStaff), body: { idNumber, name: '灵活甲', monthlyBase: '5000', rate: '20' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.accountNo as string;
}

const BAD_TEXT = ['\u200b', '\u202e甲公司', '甲\u0085公司', '\u00ad', '   ', '\u2060\u200d'];

describe('document numbers: bank references and a freeze’s document number are canonical', () => {
  it('a deposit’s bankRef: lower-case/full-width stored upper-case ASCII; invisible or look-alike characters → 400, nothing posted', async () => {
    const acc = await flexible('*');
    const clerk = await staffToken('*');
    const path = `/v1/accounts/${acc}/deposits`;
    for (const bankRef of ['BANK\u200b-1', 'BANK\u00ad-1', 'B\u0410NK-1', 'BANK 1', '\u200b', '', 'X'.repeat(65)]) {
      const res = await call('POST', path, { token: clerk, body: { period: '2026-01', amount: '1000', bankRef } });
      expect([JSON.stringify(bankRef), res.status, res.body.code]).toEqual([JSON.stringify(bankRef), 400, 'VALIDATION_FAILED']);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.bankRef');
    }
    expect((await call('GET', `/v1/accounts/${acc}`, { token: clerk })).body.balance).toBe('0.00');
    const ok = await call('POST', path, { token: clerk, body: { period: '2026-01', amount: '1000', bankRef: fullWidth('bank-ref-1') } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ bankRef: 'BANK-REF-1', ref: 'BANK-REF-1' });
  });

  it('a settlement’s bankRef is canonical; an invisible character → 400 and the remittance still awaits funds', async () => {
    const branch = uniqueBranch('SB');
    const unit = await registerUnit(branch);
    await hired(unit.unitId);
    const rem = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: await unitToken(unit.unitId), body: { period: '2025-03' } });
    expect(rem.status).toBe(201);
    const id = rem.body.remittanceId;
    const clerk = await staffToken(branch);
    for (const bankRef of ['BANK\u200c-1', 'BANK\u2060-1', 'ВANK-1' /* Cyrillic В */]) {
      const res = await call('POST', `/v1/remittances/${id}/settlements`, { token: clerk, body: { amount: '1920', bankRef } });
      expect([JSON.stringify(bankRef), res.status, res.body.code]).toEqual([JSON.stringify(bankRef), 400, 'VALIDATION_FAILED']);
    }
    expect((await call('GET', `/v1/remittances/${id}`, { token: clerk })).body.status).toBe('AWAITING_FUNDS');
    const ok = await call('POST', `/v1/remittances/${id}/settlements`, { token: clerk, body: { amount: '1920', bankRef: 'bank-（2026）-1' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    const archive = await readArchive('REMITTANCE', id);
    expect(archive.find((r) => r.action === 'SETTLE')).toMatchObject({ submitted: { amount: '1920.00', bankRef: 'BANK-(2026)-1' } });
    await pollUntil(() => call('GET', `/v1/remittances/${id}`, { token: clerk }), (r) => r.body.status === 'POSTED');
  });

  it('a freeze: documentNo canonical, reason and authority printable text; refusals change nothing', async () => {
    const acc = await flexible('*');
    const city = await staffToken('*');
    const order = { reason: '法院协助执行', authority: '杭州市西湖区人民法院', documentNo: '(2026)浙0106执77号' };
    const bad: Record<string, unknown>[] = [
      { ...order, documentNo: '(2026)浙0106执\u200b77号' },
      { ...order, documentNo: '(2026)浙0106执77号\u00ad' },
      { ...order, documentNo: '\u200b' },
      ...BAD_TEXT.map((t) => ({ ...order, reason: t })),
      ...BAD_TEXT.map((t) => ({ ...order, authority: t })),
    ];
    for (const body of bad) {
      const res = await call('POST', `/v1/accounts/${acc}/freeze`, { token: city, body });
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 400, 'VALIDATION_FAILED']);
    }
    expect((await call('GET', `/v1/accounts/${acc}`, { token: city })).body.status).toBe('NORMAL');
    const frozen = await call('POST', `/v1/accounts/${acc}/freeze`, { token: city, body: { ...order, documentNo: fullWidth('(2026)') + '浙0106执77号' } });
    expect(frozen.status, JSON.stringify(frozen.body)).toBe(200);
    expect(frozen.body.freeze).toMatchObject({ documentNo: '(2026)浙0106执77号' });
    for (const note of BAD_TEXT) {
      const res = await call('POST', `/v1/accounts/${acc}/unfreeze`, { token: city, body: { note } });
      expect([JSON.stringify(note), res.status, res.body.code]).toEqual([JSON.stringify(note), 400, 'VALIDATION_FAILED']);
    }
    expect((await call('GET', `/v1/accounts/${acc}`, { token: city })).body.status).toBe('FROZEN');
  });
});

describe('names and free text: printable only', () => {
  it('a unit’s name, an employee’s or flexible member’s name, a deferral’s reason → 400; nothing registered', async () => {
    const branch = uniqueBranch('ST');
    const clerk = await staffToken(branch);
    for (const name of BAD_TEXT) {
      const res = await call('POST', '/v1/units', { token: clerk, body: { name, creditCode: randomCreditCode(), branch, payDay: 10, employerRate: '12', employeeRate: '12' } });
      expect([JSON.stringify(name), res.status, res.body.code]).toEqual([JSON.stringify(name), 400, 'VALIDATION_FAILED']);
    }
    const unit = await registerUnit(branch, { name: '  甲公司（杭州）  ' });
    expect(unit.name).toBe('甲公司（杭州）');
    const agent = await unitToken(unit.unitId);
    for (const name of [...BAD_TEXT, '张\u200b三', '1张三', '张三-', '张三\u202c']) {
      const res = await hire(unit.unitId, agent, { idNumber: randomResidentId(), name, monthlyBase: '8000' });
      expect([JSON.stringify(name), res.status, res.body.code]).toEqual([JSON.stringify(name), 400, 'VALIDATION_FAILED']);
      const flex = await call('POST', '/v1/flexible-accounts', { token: clerk, body: { idNumber: randomResidentId(), name, monthlyBase: '5000', rate: '20' } });
      expect([JSON.stringify(name), flex.status, flex.body.code]).toEqual([JSON.stringify(name), 400, 'VALIDATION_FAILED']);
    }
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: agent })).body.headcount).toBe(0);
    // names of any script, with the middle dot of minority names
    for (const name of ['买买提·艾力', 'Zoë O’Neil'.replace('’', "'"), '李四']) {
      const res = await hire(unit.unitId, agent, { idNumber: randomResidentId(), name, monthlyBase: '8000' });
      expect([name, res.status]).toEqual([name, 201]);
      expect(res.body.name).toBe(name);
    }
    for (const reason of BAD_TEXT) {
      const res = await call('POST', `/v1/units/${unit.unitId}/deferrals`, { token: clerk, body: { fromPeriod: '2025-06', toPeriod: '2025-07', reason } });
      expect([JSON.stringify(reason), res.status, res.body.code]).toEqual([JSON.stringify(reason), 400, 'VALIDATION_FAILED']);
    }
  });
});

describe('finding 4: boundary amounts and periods are 400/422, never 500', () => {
  const huge = '9999999999999.99';

  it('money: above the kernel maximum → 400 on every collection route', async () => {
    const branch = uniqueBranch('SM');
    const unit = await registerUnit(branch);
    const agent = await unitToken(unit.unitId);
    const clerk = await staffToken(branch);
    const emp = await hired(unit.unitId);
    const acc = await flexible('*');
    const rem = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: agent, body: { period: '2025-03' } });
    const cases: [string, string, Record<string, unknown>, string?][] = [
      ['POST', `/v1/units/${unit.unitId}/employees`, { idNumber: randomResidentId(), name: '甲', monthlyBase: huge }],
      ['POST', `/v1/units/${unit.unitId}/base-adjustments`, { year: 2026, items: [{ accountNo: emp.accountNo, monthlyBase: huge }] }],
      ['POST', `/v1/remittances/${rem.body.remittanceId}/settlements`, { amount: huge, bankRef: 'B-1' }],
      ['POST', `/v1/remittances/${rem.body.remittanceId}/settlements`, { amount: '1000000000.01', bankRef: 'B-1' }],
      ['POST', '/v1/flexible-accounts', { idNumber: randomResidentId(), name: '甲', monthlyBase: huge, rate: '20' }],
      ['POST', `/v1/accounts/${acc}/deposits`, { period: '2026-01', amount: huge, bankRef: 'B-1' }],
      // malformed yuan strings: a 400, never the server tripping over them
      ['POST', `/v1/units/${unit.unitId}/employees`, { idNumber: randomResidentId(), name: '甲', monthlyBase: '8e3' }],
      ['POST', `/v1/units/${unit.unitId}/base-adjustments`, { year: 2026, items: [{ accountNo: emp.accountNo, monthlyBase: '-8000' }] }],
      ['POST', `/v1/remittances/${rem.body.remittanceId}/settlements`, { amount: '-1920', bankRef: 'B-1' }],
      ['POST', '/v1/flexible-accounts', { idNumber: randomResidentId(), name: '甲', monthlyBase: ' 5000', rate: '20' }],
      ['POST', `/v1/accounts/${acc}/deposits`, { period: '2026-01', amount: '1000.001', bankRef: 'B-1' }],
    ];
    for (const [method, path, body] of cases) {
      const res = await call(method, path, { token: path.startsWith('/v1/units') ? agent : path.includes('flexible') || path.includes('deposits') ? await staffToken('*') : clerk, body });
      expect([path, JSON.stringify(body), res.status, res.body.code]).toEqual([path, JSON.stringify(body), 400, 'VALIDATION_FAILED']);
    }
    expect((await call('GET', `/v1/remittances/${rem.body.remittanceId}`, { token: agent })).body.status).toBe('AWAITING_FUNDS');
  });

  it('periods before the policy history (2016-02) → 400 everywhere; far-future ones → 4xx, never 500', async () => {
    const branch = uniqueBranch('SP');
    const clerk = await staffToken(branch);
    const city = await staffToken('*');
    for (const startPeriod of ['1990-01', '2016-01']) {
      const res = await call('POST', '/v1/units', { token: clerk, body: { name: '早期单位', creditCode: randomCreditCode(), branch, payDay: 10, employerRate: '12', employeeRate: '12', startPeriod } });
      expect([startPeriod, res.status, res.body.code]).toEqual([startPeriod, 400, 'VALIDATION_FAILED']);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.startPeriod');
    }
    // the first month of the policy history is a valid start (the migration of an existing center)
    const unit = await registerUnit(branch, { startPeriod: '2016-02' });
    const agent = await unitToken(unit.unitId);
    await hired(unit.unitId);
    const acc = await flexible('*');
    const early = ['1990-01', '2016-01'];
    for (const p of early) {
      const cases: [string, Record<string, unknown>, string, string][] = [
        [`/v1/units/${unit.unitId}/employees`, { idNumber: randomResidentId(), name: '甲', monthlyBase: '8000', startPeriod: p }, agent, 'body.startPeriod'],
        [`/v1/units/${unit.unitId}/remittances`, { period: p }, agent, 'body.period'],
        [`/v1/units/${unit.unitId}/remittances`, { period: p, kind: 'BACKPAY' }, agent, 'body.period'],
        [`/v1/units/${unit.unitId}/deferrals`, { fromPeriod: p, toPeriod: '2016-03', reason: '困难企业' }, clerk, 'body.fromPeriod'],
        [`/v1/accounts/${acc}/deposits`, { period: p, amount: '1000', bankRef: 'B-1' }, city, 'body.period'],
      ];
      for (const [path, body, tok, field] of cases) {
        const res = await call('POST', path, { token: tok, body });
        expect([path, JSON.stringify(body), res.status, res.body.code]).toEqual([path, JSON.stringify(body), 400, 'VALIDATION_FAILED']);
        expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
      }
    }
    // the first month itself works, as a back-pay
    const first = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: agent, body: { period: '2016-02', kind: 'BACKPAY' } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // far future: refused by the rules (422) or the format (400), never the server
    for (const p of ['2100-12', '2101-01', '9999-12']) {
      const cases: [string, Record<string, unknown>, string][] = [
        ['/v1/units', { name: '未来单位', creditCode: randomCreditCode(), branch, payDay: 10, employerRate: '12', employeeRate: '12', startPeriod: p }, clerk],
        [`/v1/units/${unit.unitId}/employees`, { idNumber: randomResidentId(), name: '甲', monthlyBase: '8000', startPeriod: p }, agent],
        [`/v1/units/${unit.unitId}/remittances`, { period: p }, agent],
        [`/v1/units/${unit.unitId}/remittances`, { period: p, kind: 'BACKPAY' }, agent],
        [`/v1/units/${unit.unitId}/deferrals`, { fromPeriod: '2099-01', toPeriod: p, reason: '困难企业' }, clerk],
        [`/v1/accounts/${acc}/deposits`, { period: p, amount: '1000', bankRef: 'B-1' }, city],
      ];
      for (const [path, body, tok] of cases) {
        const res = await call('POST', path, { token: tok, body });
        expect(res.status, `${path} ${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBeLessThan(500);
      }
    }
    // forged or foreign cursors on the paged routes, odd run ids
    const emp = await hired(unit.unitId);
    for (const cursor of ['e30', 'bogus', 'x'.repeat(1024)]) {
      for (const [path, tok] of [[`/v1/units/${unit.unitId}/employees`, agent], [`/v1/accounts/${emp.accountNo}/entries`, agent]] as const) {
        const res = await call('GET', `${path}?cursor=${cursor}`, { token: tok });
        expect([path, cursor.slice(0, 8), res.status]).toEqual([path, cursor.slice(0, 8), 400]);
      }
    }
    for (const runId of ['INT-9999', 'INT-0000', 'INT-%E2%80%8B', 'X'.repeat(128)]) {
      const res = await call('GET', `/v1/interest-settlements/${runId}`, { token: await auditorToken() });
      expect([runId.slice(0, 12), res.status < 500, res.status >= 400]).toEqual([runId.slice(0, 12), true, true]);
    }
    // interest years and base-adjustment years at their bounds
    for (const year of [1990, 2015, 2100, 9999, -1]) {
      const res = await call('POST', '/v1/interest-settlements', { token: await token({ role: 'admin' }), body: { year } });
      expect([year, res.status < 500, res.status === 202]).toEqual([year, true, false]);
      const adj = await call('POST', `/v1/units/${unit.unitId}/base-adjustments`, { token: agent, body: { year, items: [{ accountNo: acc, monthlyBase: '8000' }] } });
      expect([year, adj.status < 500, adj.status === 201]).toEqual([year, true, false]);
    }
  });
});

describe('finding 7: answer alike where the caller may not know the record', () => {
  it('another branch’s unit (staff) or another unit (agent) is 404 exactly like an unknown unit, on every unit route', async () => {
    const branch = uniqueBranch('SO');
    const unit = await registerUnit(branch);
    const emp = await hired(unit.unitId);
    const rem = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: await unitToken(unit.unitId), body: { period: '2025-03' } });
    expect(rem.status).toBe(201);
    const other = await registerUnit(uniqueBranch('SX'));
    const strangers = await Promise.all([staffToken(uniqueBranch('EL')), unitToken(other.unitId)]);
    const routes = (u: string, r: string): [string, string, unknown, ('staff' | 'unit')[]][] => [
      ['GET', `/v1/units/${u}`, undefined, ['staff', 'unit']],
      ['PATCH', `/v1/units/${u}`, { payDay: 3 }, ['staff', 'unit']],
      ['POST', `/v1/units/${u}/employees`, { idNumber: randomResidentId(), name: '甲', monthlyBase: '8000' }, ['staff', 'unit']],
      ['GET', `/v1/units/${u}/employees`, undefined, ['staff', 'unit']],
      ['POST', `/v1/units/${u}/employees/${emp.accountNo}/seal`, undefined, ['staff', 'unit']],
      ['POST', `/v1/units/${u}/base-adjustments`, { year: 2026, items: [{ accountNo: emp.accountNo, monthlyBase: '9000' }] }, ['staff', 'unit']],
      ['POST', `/v1/units/${u}/deferrals`, { fromPeriod: '2025-06', toPeriod: '2025-07', reason: '困难企业' }, ['staff']],
      ['POST', `/v1/units/${u}/remittances`, { period: '2025-04' }, ['staff', 'unit']],
      ['GET', `/v1/remittances/${r}`, undefined, ['staff', 'unit']],
      ['POST', `/v1/remittances/${r}/settlements`, { amount: '1920', bankRef: 'B-1' }, ['staff']],
    ];
    const known = routes(unit.unitId, rem.body.remittanceId);
    const unknown = routes('UNOSUCHUNIT0000000000', 'RNOSUCHREMITTANCE000000');
    for (const [i, tok] of strangers.entries()) {
      const role = i === 0 ? 'staff' : 'unit';
      for (let k = 0; k < known.length; k++) {
        const [method, path, body, who] = known[k];
        if (!who.includes(role)) continue;
        const a = await call(method, path, { token: tok, body });
        const b = await call(method, unknown[k][1], { token: tok, body: unknown[k][2] });
        expect([role, method, path, a.status, a.body.code]).toEqual([role, method, path, 404, 'NOT_FOUND']);
        expect(problemOf(a), `${role} ${method} ${path}`).toEqual(problemOf(b));
      }
    }
    // nothing changed on the unit
    const agent = await unitToken(unit.unitId);
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: agent })).body).toMatchObject({ payDay: 10, headcount: 1 });
    expect((await call('GET', `/v1/remittances/${rem.body.remittanceId}`, { token: agent })).body.status).toBe('AWAITING_FUNDS');
    // an account of another unit, sealed through one's own unit: like an unknown account
    const mine = await unitToken(other.unitId);
    const sealA = await call('POST', `/v1/units/${other.unitId}/employees/${emp.accountNo}/seal`, { token: mine });
    const sealB = await call('POST', `/v1/units/${other.unitId}/employees/999999999999/seal`, { token: mine });
    expect(sealA.status).toBe(404);
    expect(problemOf(sealA)).toEqual(problemOf(sealB));
    // accounts: another branch's staff or another unit's agent get the unknown account's answer
    for (const tok of strangers) {
      for (const suffix of ['', '/entries']) {
        const a = await call('GET', `/v1/accounts/${emp.accountNo}${suffix}`, { token: tok });
        const b = await call('GET', `/v1/accounts/999999999999${suffix}`, { token: tok });
        expect(a.status).toBe(404);
        expect(problemOf(a)).toEqual(problemOf(b));
      }
    }
    const acc = await flexible('*');
    const depA = await call('POST', `/v1/accounts/${acc}/deposits`, { token: strangers[0], body: { period: '2026-01', amount: '1000', bankRef: 'B-1' } });
    const depB = await call('POST', '/v1/accounts/999999999999/deposits', { token: strangers[0], body: { period: '2026-01', amount: '1000', bankRef: 'B-1' } });
    expect(depA.status).toBe(404);
    expect(problemOf(depA)).toEqual(problemOf(depB));
  });

  it('hiring: "active elsewhere", "name does not match" and "frozen" are one answer to a unit agent; staff who may read the account get the reason', async () => {
    const a = await registerUnit(uniqueBranch('HA'));
    const bBranch = uniqueBranch('HB');
    const b = await registerUnit(bBranch);
    const agentB = await unitToken(b.unitId);
    const active = await hired(a.unitId, '在职甲');
    const sealed = await hired(a.unitId, '封存乙');
    expect((await call('POST', `/v1/units/${a.unitId}/employees/${sealed.accountNo}/seal`, { token: await unitToken(a.unitId) })).status).toBe(200);
    const frozenOne = await hired(a.unitId, '冻结丙');
    expect((await call('POST', `/v1/accounts/${frozenOne.accountNo}/freeze`, { token: await auditorToken(), body: { reason: '协助执行', authority: '人民法院', documentNo: '(2026)执1号' } })).status).toBe(200);

    const attempts = [
      { idNumber: active.idNumber, name: active.name }, // active elsewhere, the right name
      { idNumber: active.idNumber, name: '别人' }, // active elsewhere, a wrong name
      { idNumber: sealed.idNumber, name: '别人' }, // sealed, a wrong name
      { idNumber: frozenOne.idNumber, name: frozenOne.name }, // frozen
    ];
    const answers = [];
    for (const who of [agentB, await staffToken(bBranch)]) {
      for (const at of attempts) answers.push(await hire(b.unitId, who, { ...at, monthlyBase: '8000' }));
    }
    expect(answers[0].status).toBe(422);
    expect(answers[0].body.code).toBe('NOT_ELIGIBLE');
    expect(answers[0].body.detail).toMatch(/contact/i);
    for (const r of answers) expect(problemOf(r)).toEqual(problemOf(answers[0]));
    // nothing was re-opened or moved
    for (const no of [active.accountNo, sealed.accountNo, frozenOne.accountNo]) expect((await call('GET', `/v1/accounts/${no}`, { token: await auditorToken() })).body.unitId).toBe(a.unitId);
    expect((await call('GET', `/v1/units/${b.unitId}`, { token: agentB })).body.headcount).toBe(0);

    // city-level staff read every account: they get the precise reason
    const city = await staffToken('*');
    expect((await hire(b.unitId, city, { ...attempts[0], monthlyBase: '8000' })).body.code).toBe('CONFLICT');
    expect((await hire(b.unitId, city, { ...attempts[2], monthlyBase: '8000' })).body.code).toBe('POLICY_VIOLATION');
    expect((await hire(b.unitId, city, { ...attempts[3], monthlyBase: '8000' })).body.code).toBe('INVALID_STATE');
    // the unit's own employee: its agent may read that account, so it is told
    expect((await hire(a.unitId, await unitToken(a.unitId), { ...attempts[0], monthlyBase: '8000' })).body.code).toBe('CONFLICT');
    // the right name re-opens the sealed account (the legitimate case)
    const reopened = await hire(b.unitId, agentB, { idNumber: sealed.idNumber, name: sealed.name, monthlyBase: '8000' });
    expect([reopened.status, reopened.body.reopened, reopened.body.accountNo]).toEqual([201, true, sealed.accountNo]);
  });
});
