// A unit's remittance lists over HTTP against the local runtime (GET /v1/units/{unitId}/remittances,
// issue 18's console): newest period first (a back-pay list among them by its period), each item the
// remittance's own view (GET /v1/remittances/{remittanceId}): what was due, the status, the
// settlement and what was credited or skipped; pages and their cursors; who may read it (the unit's
// agent, staff of its branch, city staff, auditors; another unit's agent and another branch's staff
// get the 404 of an unknown unit); refusals (forged and foreign cursors, bad parameters).
import { describe, expect, it } from 'vitest';
import { adminToken, auditorToken, call, memberToken, staffToken, unitToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { businessDate } from '../../shared/clock.ts';
import { ledgerWrite, mustGetAccount } from '../../shared/ledger/ledger.ts';
import { pollUntil, registerUnit, uniqueBranch } from './deposits-fixtures.ts';

const hire = async (unitId: string, token: string, name: string, monthlyBase: string) => {
  const res = await call('POST', `/v1/units/${unitId}/employees`, { token, body: { idNumber: randomResidentId(), name, monthlyBase } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.accountNo as string;
};

async function remit(unitId: string, token: string, period: string, kind = 'REGULAR') {
  const res = await call('POST', `/v1/units/${unitId}/remittances`, { token, body: { period, kind } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { remittanceId: string; totalAmount: string };
}

/** Every item of the unit's list, page by page (`limit` each), following nextCursor. */
async function wholeList(unitId: string, token: string, limit: number): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res: { status: number; body: any } = await call('GET', `/v1/units/${unitId}/remittances?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('list did not end');
}

const ids = (items: any[]) => items.map((r) => r.remittanceId);
const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe("a unit's remittance lists (GET /v1/units/{unitId}/remittances)", () => {
  it('newest period first, each the remittance view with what was due, posted and skipped; paged with a cursor; read by the unit, its branch, city staff and auditors', async () => {
    const branch = uniqueBranch('UR');
    const unit = await registerUnit(branch);
    const agent = await unitToken(unit.unitId);
    await hire(unit.unitId, agent, '甲', '8000');
    const leaver = await hire(unit.unitId, agent, '乙', '6543.21');

    // REGULAR lists for 2025-02 and 2025-03, then the missed 2025-01 as back-pay (created last, listed by its period)
    const feb = await remit(unit.unitId, agent, '2025-02');
    const mar = await remit(unit.unitId, agent, '2025-03');
    const jan = await remit(unit.unitId, agent, '2025-01', 'BACKPAY');
    expect(feb.totalAmount).toBe('3490.38');

    // 乙 leaves the city (account CLOSED) before February's money arrives: their line is skipped
    await commit({
      plan: async () => {
        const account = await mustGetAccount(leaver);
        return { items: ledgerWrite([{ account, changes: { status: 'CLOSED', closedOn: businessDate() } }]).items, body: null };
      },
    });
    const settled = await call('POST', `/v1/remittances/${feb.remittanceId}/settlements`, { token: await staffToken(branch), body: { amount: '3490.38', bankRef: `BANK-UR-${unit.unitId}` } });
    expect(settled.status, JSON.stringify(settled.body)).toBe(202);
    await pollUntil(() => call('GET', `/v1/remittances/${feb.remittanceId}`, { token: agent }), (r) => r.body.status === 'POSTED');

    const list = await wholeList(unit.unitId, agent, 50);
    expect(ids(list)).toEqual([mar.remittanceId, feb.remittanceId, jan.remittanceId]);
    expect(list.map((r) => [r.period, r.kind, r.status])).toEqual([
      ['2025-03', 'REGULAR', 'AWAITING_FUNDS'],
      ['2025-02', 'REGULAR', 'POSTED'],
      ['2025-01', 'BACKPAY', 'AWAITING_FUNDS'],
    ]);
    // each item is the remittance's own view
    for (const item of list) expect(item).toEqual((await call('GET', `/v1/remittances/${item.remittanceId}`, { token: agent })).body);
    // February: due 3,490.38 for two; 1,920.00 credited to 甲, 1,570.38 of 乙 skipped (their account closed)
    expect(list[1]).toMatchObject({
      unitId: unit.unitId,
      headcount: 2,
      totalAmount: '3490.38',
      postedCount: 1,
      postedAmount: '1920.00',
      skippedCount: 1,
      skippedAmount: '1570.38',
      settlement: { amount: '3490.38', bankRef: `BANK-UR-${unit.unitId}`, settledOn: businessDate() },
      postedAt: expect.any(String),
    });
    expect(list[0]).toMatchObject({ headcount: 2, totalAmount: '3490.38', postedCount: 0, postedAmount: '0.00', skippedCount: 0 });
    expect(list[0].settlement).toBeUndefined();

    // pages of one and of two: the same order; the last page's cursor is null
    expect(ids(await wholeList(unit.unitId, agent, 1))).toEqual(ids(list));
    const first = await call('GET', `/v1/units/${unit.unitId}/remittances?limit=2`, { token: agent });
    expect(ids(first.body.items)).toEqual([mar.remittanceId, feb.remittanceId]);
    const second = await call('GET', `/v1/units/${unit.unitId}/remittances?limit=2&cursor=${first.body.nextCursor}`, { token: agent });
    expect([ids(second.body.items), second.body.nextCursor]).toEqual([[jan.remittanceId], null]);

    // readers: staff of the branch, city staff, auditors (the same list)
    for (const token of [await staffToken(branch), await staffToken('*'), await auditorToken()]) expect(ids(await wholeList(unit.unitId, token, 50))).toEqual(ids(list));
    // a unit with no list yet: an empty page
    const empty = await registerUnit(branch);
    const none = await call('GET', `/v1/units/${empty.unitId}/remittances`, { token: await unitToken(empty.unitId) });
    expect([none.status, none.body]).toEqual([200, { items: [], nextCursor: null }]);
  });

  it("another unit's agent and another branch's staff get the 404 of an unknown unit; other roles 403; forged and foreign cursors 400", async () => {
    const branch = uniqueBranch('UQ');
    const unit = await registerUnit(branch);
    const other = await registerUnit(uniqueBranch('UQ'));
    const agent = await unitToken(unit.unitId);
    const accountNo = await hire(unit.unitId, agent, '丙', '8000');
    await hire(unit.unitId, agent, '丁', '8000');
    await remit(unit.unitId, agent, '2025-01');
    await remit(unit.unitId, agent, '2025-02');
    await hire(other.unitId, await unitToken(other.unitId), '戊', '8000');
    await remit(other.unitId, await unitToken(other.unitId), '2025-01');
    const path = `/v1/units/${unit.unitId}/remittances`;

    // existence is not revealed: an unknown unit, another unit's agent and another branch's clerk get the same 404
    const unknown = await call('GET', '/v1/units/U-NO-SUCH-UNIT/remittances', { token: await staffToken('*') });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    for (const token of [await unitToken(other.unitId), await staffToken(uniqueBranch('ELSE'))]) {
      const res = await call('GET', path, { token });
      expect([res.status, res.body.code, res.body.detail]).toEqual([404, 'NOT_FOUND', unknown.body.detail]);
    }
    // roles that never read units
    expect((await call('GET', path)).status).toBe(401);
    for (const token of [await memberToken(accountNo), await adminToken()]) {
      const res = await call('GET', path, { token });
      expect([res.status, res.body.code]).toEqual([403, 'FORBIDDEN']);
    }

    const page = await call('GET', `${path}?limit=1`, { token: agent });
    expect(page.status).toBe(200);
    const cursor = page.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const bad = async (query: string) => {
      const res = await call('GET', `${path}?${query}`, { token: agent });
      expect([res.status, res.body.code], `${query}: ${JSON.stringify(res.body)}`).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    };
    // forged (e30 = {}), another unit's list, the unit's employees, a key of this unit's partition that is no period claim
    await bad('cursor=e30');
    const otherCursor = (await call('GET', `/v1/units/${other.unitId}/remittances?limit=1`, { token: await unitToken(other.unitId) })).body.nextCursor;
    expect(otherCursor).toEqual(expect.any(String));
    await bad(`cursor=${otherCursor}`);
    const employeesCursor = (await call('GET', `/v1/units/${unit.unitId}/employees?limit=1`, { token: agent })).body.nextCursor;
    expect(employeesCursor).toEqual(expect.any(String));
    await bad(`cursor=${employeesCursor}`);
    await bad(`cursor=${cursorOf({ pk: `UNIT#${unit.unitId}`, sk: 'UNIT' })}`);
    await bad(`cursor=${cursorOf({ pk: `UNIT#${unit.unitId}`, sk: 42 })}`);
    for (const q of ['cursor=%E2%82%AC', 'limit=0', 'limit=1000', 'limit=abc']) await bad(q);
    // the real cursor still works
    const next = await call('GET', `${path}?limit=1&cursor=${cursor}`, { token: agent });
    expect([next.status, next.body.items.map((r: any) => r.period)]).toEqual([200, ['2025-01']]);
  });
});
