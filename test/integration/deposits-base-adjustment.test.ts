// An annual base adjustment larger than one transaction, with a crash injected between its chunks
// (shared/tx.ts `faults.beforeWrite`): the request fails, the adjustment stays APPLYING (never
// complete, never archived), and re-sending the same request with the same Idempotency-Key over HTTP
// completes it exactly once; a remittance list made meanwhile completes it first, so no list mixes
// bases. Also: the interest schedule takes its year from the event's date, and the sweeper's cursor
// is validated.
import { describe, it, expect, afterEach } from 'vitest';
import { createHash } from 'node:crypto';
import { call, unitToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { commit, faults } from '../../shared/tx.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { readArchive } from '../../shared/archive.ts';
import { getAccounts } from '../../shared/ledger/ledger.ts';
import type { Caller } from '../../shared/auth.ts';
import type { TxItem } from '../../shared/ddb.ts';
import { adjustBases, BASES_PER_CHUNK } from '../../functions/deposits/usecases/units.ts';
import * as store from '../../functions/deposits/store.ts';
import { handler as depositsSchedule } from '../../functions/deposits/schedule.ts';
import { registerUnit, uniqueBranch } from '../e2e/deposits-fixtures.ts';

afterEach(() => {
  faults.beforeWrite = undefined;
});

const N = 45; // two chunks of BASES_PER_CHUNK (40)

async function unitWithEmployees(tag: string) {
  const branch = uniqueBranch(tag);
  const unit = await registerUnit(branch);
  const tok = await unitToken(unit.unitId);
  const accs: string[] = [];
  for (let i = 0; i < N; i += 5) {
    const hired = await Promise.all(
      Array.from({ length: Math.min(5, N - i) }, (_, j) => call('POST', `/v1/units/${unit.unitId}/employees`, { token: tok, body: { idNumber: randomResidentId(), name: `职工${i + j}`, monthlyBase: '5000' } })),
    );
    for (const h of hired) {
      expect(h.status, JSON.stringify(h.body)).toBe(201);
      accs.push(h.body.accountNo);
    }
  }
  return { unit, branch, tok, accs };
}

/** What the HTTP layer makes of the request: the same scope, key and hash as a re-send over the gateway. */
function asSent(unitId: string, body: unknown, key: string) {
  const caller: Caller = { sub: `unit-${unitId}`, role: 'unit', unitId };
  const hash = createHash('sha256').update(`POST\n/v1/units/${unitId}/base-adjustments\n${canonicalJson(body)}`).digest('hex');
  return { caller, idempotency: { scope: caller.sub, key, hash, status: 201 } };
}

/** Crashes the process-to-be at the write of chunk 2 of any adjustment. */
const crashAtChunk2 = () => {
  faults.beforeWrite = (items: TxItem[]) => {
    if (items.some((i) => String(i.Update?.Key?.pk ?? '').startsWith('BADJ#') && i.Update?.Key?.sk === 'C#0002')) throw new Error('crash between chunks');
  };
};

const bases = async (accs: string[]) => [...(await getAccounts(accs)).values()].map((a) => a.monthlyBaseFen);

describe('base adjustment: a crash between chunks', () => {
  it('is completed exactly once by the same request re-sent with the same Idempotency-Key', async () => {
    expect(N).toBeGreaterThan(BASES_PER_CHUNK);
    const { unit, tok, accs } = await unitWithEmployees('P');
    const body = { year: 2026, items: accs.map((accountNo) => ({ accountNo, monthlyBase: '7000' })) };
    const key = `adj-crash-${unit.unitId}`;
    const { caller, idempotency } = asSent(unit.unitId, body, key);
    const input = { year: 2026, items: accs.map((accountNo) => ({ accountNo, monthlyBaseFen: 700_000 })) };

    crashAtChunk2();
    await expect(adjustBases(caller, unit.unitId, input, idempotency)).rejects.toThrow('crash between chunks');
    faults.beforeWrite = undefined;
    const header = await store.getBaseAdjustment(unit.unitId, 2026);
    expect(header).toMatchObject({ status: 'APPLYING', count: N, chunkCount: 2, appliedChunks: 1 });
    expect((await readArchive('UNIT', unit.unitId)).map((r) => r.action)).toEqual(['REGISTER']); // not complete: not archived
    // another adjustment of the year is refused while this one is in progress
    const other = await call('POST', `/v1/units/${unit.unitId}/base-adjustments`, { token: tok, body: { year: 2026, items: body.items.slice(0, 1) } });
    expect([other.status, other.body.code]).toEqual([409, 'CONFLICT']);

    // the same request again, over HTTP
    const resent = await call('POST', `/v1/units/${unit.unitId}/base-adjustments`, { token: tok, body, idem: key });
    expect(resent.status, JSON.stringify(resent.body)).toBe(201);
    expect(resent.headers.get('idempotency-replayed')).toBeNull();
    expect(resent.body).toMatchObject({ adjustmentId: header!.adjustmentId, year: 2026, count: N });
    expect(await bases(accs)).toEqual(accs.map(() => 700_000));
    const accounts = await getAccounts(accs);
    expect([...accounts.values()].filter((a) => a.monthlyAmountFen !== 168_000 || a.version !== 0)).toEqual([]);
    // exactly once: each employment history holds the adjustment once; one archive record
    const employments = await store.getEmployments(unit.unitId, accs);
    expect([...employments.values()].map((e) => e.baseHistory?.filter((b) => b.adjustmentId === header!.adjustmentId).length)).toEqual(accs.map(() => 1));
    expect(await store.getBaseAdjustment(unit.unitId, 2026)).toMatchObject({ status: 'COMPLETE', appliedChunks: 2 });
    const archived = (await readArchive('UNIT', unit.unitId)).filter((r) => r.action === 'BASE_ADJUSTMENT');
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatchObject({ actor: { sub: caller.sub, role: 'unit' }, decision: { status: 'COMPLETE', count: N } });
    expect(archived[0].submittedSha256).toBe(createHash('sha256').update(canonicalJson({ year: 2026, items: accs.map((accountNo) => ({ accountNo, monthlyBase: '7000.00' })) })).digest('hex'));

    const replay = await call('POST', `/v1/units/${unit.unitId}/base-adjustments`, { token: tok, body, idem: key });
    expect([replay.status, replay.headers.get('idempotency-replayed'), replay.body]).toEqual([201, 'true', resent.body]);
  }, 180_000);

  it('a remittance list made after the crash completes the adjustment first: every line at the new base', async () => {
    const { unit, tok, accs } = await unitWithEmployees('Q');
    const body = { year: 2026, items: accs.map((accountNo) => ({ accountNo, monthlyBase: '7000' })) };
    const key = `adj-roll-${unit.unitId}`;
    const { caller, idempotency } = asSent(unit.unitId, body, key);
    crashAtChunk2();
    await expect(adjustBases(caller, unit.unitId, { year: 2026, items: accs.map((accountNo) => ({ accountNo, monthlyBaseFen: 700_000 })) }, idempotency)).rejects.toThrow('crash between chunks');
    faults.beforeWrite = undefined;
    expect((await bases(accs)).filter((b) => b === 700_000)).toHaveLength(BASES_PER_CHUNK); // chunk 1 only, until completed

    // 45 × (840.00 + 840.00) = 75,600.00: no line at the old base
    const list = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: tok, body: { period: '2025-01' } });
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    expect(list.body).toMatchObject({ headcount: N, totalAmount: '75600.00' });
    expect(await store.getBaseAdjustment(unit.unitId, 2026)).toMatchObject({ status: 'COMPLETE' });
    expect(await bases(accs)).toEqual(accs.map(() => 700_000));
    expect((await readArchive('UNIT', unit.unitId)).filter((r) => r.action === 'BASE_ADJUSTMENT')).toHaveLength(1);

    // the original request re-sent answers with the adjustment it made, and changes nothing more
    const resent = await call('POST', `/v1/units/${unit.unitId}/base-adjustments`, { token: tok, body, idem: key });
    expect([resent.status, resent.body.count]).toEqual([201, N]);
    expect((await readArchive('UNIT', unit.unitId)).filter((r) => r.action === 'BASE_ADJUSTMENT')).toHaveLength(1);
  }, 180_000);
});

describe('deposits schedule and sweeper', () => {
  it('the interest settlement settles the interest year that ended on or before the event date', async () => {
    const run = (date: string) => depositsSchedule({ task: 'interest-settlement', date }, {} as never);
    // June 29, 2016 → year 2015 (July 2014 – June 2015), before the deposit-rate regime of 2016: refused
    await expect(run('2016-06-29')).rejects.toMatchObject({ code: 'POLICY_VIOLATION', message: expect.stringContaining('2015') });
    // June 30 → the year ending that day; a late run two weeks on → the same year, the same run.
    // Year 2019's run is recorded COMPLETED first, so that these calls only name it and never settle
    // the city: a real run of 2019 settles every account that accrues in it, and those are all the
    // accounts with a balance opened before July 2019, deposits-interest's among them (run beside it,
    // it rolled that file's account to 2019-07-01 between two of its postings). The run itself is
    // deposits-interest's test (year 2017) and faults.test.ts's (2016).
    await commit({ plan: async () => ({ items: [store.newRunItem({ runId: 'INT-2019', year: 2019, status: 'COMPLETED', doneSegments: [], accounts: 0, totalInterestFen: 0, startedAt: new Date().toISOString() })], body: null }) }).catch(async (err) => {
      if ((await store.getRun('INT-2019'))?.status !== 'COMPLETED') throw err;
    });
    expect(await run('2019-06-30')).toEqual({ runId: 'INT-2019' });
    expect(await run('2019-07-15')).toEqual({ runId: 'INT-2019' });
    expect(await store.getRun('INT-2019')).toMatchObject({ year: 2019, status: 'COMPLETED' });
  }, 60_000);

  it('a forged or foreign cursor into the posting index is refused (400), never sent to DynamoDB', async () => {
    const foreign = Buffer.from(JSON.stringify({ pk: 'UNIT#U1', sk: 'UNIT', gsi1pk: 'OTHER', gsi1sk: 'x' })).toString('base64url');
    for (const cursor of ['e30', foreign, '!!']) await expect(store.postingRemittancesSettledBefore(new Date().toISOString(), 10, cursor)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const page = await store.postingRemittancesSettledBefore('1970-01-01T00:00:00.000Z', 10);
    expect(page).toEqual({ items: [], nextCursor: null });
  });
});
