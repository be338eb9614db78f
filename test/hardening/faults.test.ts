// Fault injection (issue 8, hardening). The scenarios that move money end with the books checked:
// each account of this file equals the sum of its entries, the branch's control totals equal the sum
// of the balances (in total and per entry type), and whatever was repeated took effect once.
//  1. The commit under DynamoDB faults: throttling and transaction conflicts (retried with back-off and
//     jitter, applied once), an exhausted retry budget or an unexpected store error (a clean problem,
//     no change), a write applied whose answer was lost (the client's retry replays it).
//  2. A crash between a commit and the message that must follow it (deposits, supervision,
//     interprovincial): the client's retry and the sweepers recover.
//  3. SQS redelivery of every message kind of the topology, at once and later: one effect.
//  4. Scheduled runs executed twice or concurrently (loans daily, interest settlement, audit).
//  5. The local runtime killed (SIGKILL) and restarted on its persisted data.
// Handlers are invoked in-process; the SQS client of this process is tapped (workload-support.ts) so
// that the runtime's pollers never race the deliveries driven here.
import { describe, it, expect, beforeAll, afterAll, afterEach, vi } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { faults, backoffMs, commit } from '../../shared/tx.ts';
import { tableName } from '../../shared/config.ts';
import { ddb } from '../../shared/ddb.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { fenToYuan, yuanToFen } from '../../shared/money.ts';
import { idempotencyScope, type Caller } from '../../shared/auth.ts';
import { newAccountNo } from '../../shared/ids.ts';
import { allEntries, controlTotals, ledgerWrite, listAccountsOfSegment, mustGetAccount, openAccountItems, segmentOf, SEGMENTS, type EntryType } from '../../shared/ledger/ledger.ts';
import { getOutbox, getRequest, getTransfer } from '../../functions/interprovincial/store.ts';
import { handler as depositsSchedule } from '../../functions/deposits/schedule.ts';
import { handler as loansSchedule } from '../../functions/loans/schedule.ts';
import { handler as interprovincialSchedule } from '../../functions/interprovincial/schedule.ts';
import { freePort } from '../../infra/local/ports.ts';
import { DEFAULT_DEV_SECRET, mintToken } from '../../infra/local/jwt.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { randomCreditCode } from '../e2e/deposits-fixtures.ts';
import {
  admin,
  api,
  auditor,
  deliver,
  injectedErrors,
  interceptDdb,
  isTransactWrite,
  member,
  partnerApi,
  QueueTap,
  reconcile,
  staff,
  startPartnerCenter,
  uniqueResidentId,
  uniqueTag,
  unitAgent,
  type ApiResult,
  type PartnerCenter,
  type TappedMessage,
} from './workload-support.ts';

const branch = uniqueTag('FT');
const accountNos: string[] = [];
const tap = new QueueTap();
const partnerCode = uniqueTag('P');
const partnerSecret = `faults-secret-${randomUUID()}`;
let partner: PartnerCenter;
let undoDdb: (() => void) | undefined;
const today = businessDate();
const currentPeriod = periodOf(today);

beforeAll(async () => {
  tap.install();
  partner = await startPartnerCenter();
  const registered = await api('PUT', `/v1/interprovincial/partners/${partnerCode}`, {
    as: admin(),
    body: { name: 'Fault-injection partner', callbackUrl: `${partner.url}/callbacks`, apiBaseUrl: partner.url, settlementAccount: '6222020300009876543', sharedSecret: partnerSecret },
  });
  expect(registered.status).toBe(201);
});

afterAll(async () => {
  tap.uninstall();
  await partner?.stop();
});

afterEach(() => {
  faults.beforeWrite = undefined;
  undoDdb?.();
  undoDdb = undefined;
  tap.failSend = undefined;
  vi.restoreAllMocks();
});

// ---------- helpers ----------

const opened = async (opts: Parameters<typeof openFundedAccount>[0] = {}) => {
  const a = await openFundedAccount({ branch, idNumber: uniqueResidentId(), ...opts });
  accountNos.push(a.accountNo);
  return a;
};

const rent = (accountNo: string, amount: string) => ({
  accountNo,
  reason: 'RENT',
  amount,
  payeeBankAccount: '6222021234567890',
  evidence: { housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-2026-001', rentReceiptNo: 'SJ-0001' },
});

/** The books of this file: every account = Σ its entries; Σ balances = the branch's control totals. */
async function expectBooksBalance() {
  const r = await reconcile(accountNos, [branch]);
  expect(r.problems).toEqual([]);
  expect(r.totals.balanceFen).toBe(r.balanceSumFen);
  for (const type of new Set([...Object.keys(r.entriesByTypeFen), ...Object.keys(r.totals.byTypeFen)]) as Set<EntryType>) expect(r.totals.byTypeFen[type] ?? 0, type).toBe(r.entriesByTypeFen[type] ?? 0);
}

async function accountState(accountNo: string) {
  const a = await mustGetAccount(accountNo);
  return { balanceFen: a.balanceFen, version: a.version, rev: a.rev, status: a.status, entries: (await allEntries(accountNo)).length };
}

/** The stored answer of `key` for this caller (scoped by its sub and claims, shared/auth.ts). */
const idempotencyRecord = async (caller: Caller, key: string) =>
  (await ddb.send(new GetCommand({ TableName: tableName('idempotency'), Key: { pk: `IDEM#${idempotencyScope(caller)}#${key}`, sk: 'R' }, ConsistentRead: true }))).Item;

/** A problem document as api.md has it, with nothing of the injected fault in it. */
function expectCleanProblem(res: ApiResult, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'detail', 'errors', 'status', 'title', 'type']);
  expect(res.body).toMatchObject({ status, code });
  expect(res.raw).not.toMatch(/injected|Exception|ECONNRESET|10\.0\.0\.|\bat\s+\S+\s\(|\.ts\b|hpf-|TransactWrite/i);
}

/** Opens an account (no money) of this branch whose number lands in `segment`, optionally sorting before `below`. */
async function openInSegment(segment: number, below?: string): Promise<string> {
  let accountNo = newAccountNo();
  while (segmentOf(accountNo) !== segment || (below !== undefined && accountNo >= below)) accountNo = newAccountNo();
  const { items } = openAccountItems({
    accountNo,
    idNumber: uniqueResidentId(),
    name: '分段职工',
    kind: 'FLEXIBLE',
    branch,
    status: 'NORMAL',
    monthlyBaseFen: 800_000,
    employerRatePercent: 0,
    employeeRatePercent: 12,
    monthlyAmountFen: 96_000,
    openedOn: today,
  });
  await commit({ plan: async () => ({ items, body: null }) });
  accountNos.push(accountNo);
  return accountNo;
}

const bodyOf = (m: TappedMessage) => JSON.parse(m.body);

// ---------- 1. throttling and conflicts ----------

describe('DynamoDB throttling and transaction conflicts', () => {
  it('a withdrawal whose first six commits are throttled or conflict is retried with growing back-off and applies once', async () => {
    const acc = await opened({ balanceFen: 500_000 });
    const errors = [injectedErrors.provisioned, injectedErrors.throttling, injectedErrors.conflict, injectedErrors.provisioned, injectedErrors.throttling, injectedErrors.conflict];
    const attemptsAt: number[] = [];
    undoDdb = interceptDdb(async (command, send) => {
      if (isTransactWrite(command)) {
        attemptsAt.push(performance.now());
        const next = errors[attemptsAt.length - 1];
        if (next) throw next();
      }
      return send();
    });
    vi.spyOn(Math, 'random').mockReturnValue(0.999); // the jitter at its top: each wait is its cap
    const key = randomUUID();
    const res = await api('POST', '/v1/withdrawals', { as: member(acc.accountNo), body: rent(acc.accountNo, '1234.56'), idem: key });
    expect(res.status, res.raw).toBe(201);
    expect(res.body).toMatchObject({ status: 'PAID', amount: '1234.56' });
    expect(attemptsAt).toHaveLength(7);
    // exponential back-off: the wait before attempt k+1 is at least 0.999 × min(400, 8 × 2^k) ms
    attemptsAt.slice(1).forEach((t, k) => expect(t - attemptsAt[k], `wait before attempt ${k + 2}`).toBeGreaterThanOrEqual(0.999 * Math.min(400, 8 * 2 ** k) - 1));
    undoDdb();
    undoDdb = undefined;

    const entries = await allEntries(acc.accountNo);
    expect(entries.filter((e) => e.type === 'WITHDRAWAL').map((e) => e.amountFen)).toEqual([-123_456]);
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(500_000 - 123_456);
    const again = await api('POST', '/v1/withdrawals', { as: member(acc.accountNo), body: rent(acc.accountNo, '1234.56'), idem: key });
    expect([again.status, again.headers['idempotency-replayed'], again.raw]).toEqual([201, 'true', res.raw]);
    expect((await api('GET', `/v1/accounts/${acc.accountNo}/withdrawals`, { as: member(acc.accountNo) })).body.items).toHaveLength(1);
    await expectBooksBalance();
  });

  it('the back-off has full jitter under an exponential cap', () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const cap = Math.min(400, 8 * 2 ** attempt);
      const waits = Array.from({ length: 400 }, () => backoffMs(attempt));
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...waits)).toBeLessThan(cap);
      expect(Math.min(...waits)).toBeLessThan(cap * 0.1);
      expect(Math.max(...waits)).toBeGreaterThan(cap * 0.9);
      expect(new Set(waits).size).toBeGreaterThan(390);
    }
  });

  it.each([
    ['transaction conflicts', injectedErrors.conflict],
    ['throttling', injectedErrors.throttling],
  ])('a retry budget exhausted by %s is a clean 409 CONFLICT and changes nothing; the same key then applies once', async (_what, error) => {
    const acc = await opened({ balanceFen: 300_000 });
    const before = await accountState(acc.accountNo);
    const totalsBefore = await controlTotals([branch]);
    let attempts = 0;
    undoDdb = interceptDdb(async (command, send) => {
      if (!isTransactWrite(command)) return send();
      attempts++;
      throw error();
    });
    vi.spyOn(Math, 'random').mockReturnValue(0); // no waiting between the attempts
    const key = randomUUID();
    const res = await api('POST', '/v1/withdrawals', { as: member(acc.accountNo), body: rent(acc.accountNo, '100.00'), idem: key });
    expectCleanProblem(res, 409, 'CONFLICT');
    expect(attempts).toBe(40);
    undoDdb();
    undoDdb = undefined;
    vi.restoreAllMocks();

    expect(await accountState(acc.accountNo)).toEqual(before);
    expect((await controlTotals([branch])).balanceFen).toBe(totalsBefore.balanceFen);
    expect((await api('GET', `/v1/accounts/${acc.accountNo}/withdrawals`, { as: member(acc.accountNo) })).body.items).toEqual([]);
    expect(await idempotencyRecord(member(acc.accountNo), key)).toBeUndefined();

    const retried = await api('POST', '/v1/withdrawals', { as: member(acc.accountNo), body: rent(acc.accountNo, '100.00'), idem: key });
    expect([retried.status, retried.headers['idempotency-replayed']]).toEqual([201, undefined]);
    expect(await idempotencyRecord(member(acc.accountNo), key)).toBeDefined(); // the lookup above reads the right key
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(300_000 - 10_000);
    await expectBooksBalance();
  });

  it('an unexpected store error is a 500 INTERNAL that leaks nothing and changes nothing', async () => {
    const acc = await opened({ balanceFen: 200_000 });
    const before = await accountState(acc.accountNo);
    undoDdb = interceptDdb(async (command, send) => {
      if (isTransactWrite(command)) throw Object.assign(new Error('read ECONNRESET 10.0.0.7:8000 (injected)'), { name: 'TimeoutError' });
      return send();
    });
    const key = randomUUID();
    const res = await api('POST', '/v1/withdrawals', { as: member(acc.accountNo), body: rent(acc.accountNo, '50.00'), idem: key });
    expectCleanProblem(res, 500, 'INTERNAL');
    undoDdb();
    undoDdb = undefined;
    expect(await accountState(acc.accountNo)).toEqual(before);
    expect(await idempotencyRecord(member(acc.accountNo), key)).toBeUndefined();
    const retried = await api('POST', '/v1/withdrawals', { as: member(acc.accountNo), body: rent(acc.accountNo, '50.00'), idem: key });
    expect(retried.status).toBe(201);
    expect(await idempotencyRecord(member(acc.accountNo), key)).toBeDefined();
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(195_000);
    await expectBooksBalance();
  });

  it('a write applied whose answer was lost is a 500; the client’s retry gets the first answer and it stays applied once', async () => {
    const acc = await opened({ balanceFen: 200_000 });
    let dropped = 0;
    undoDdb = interceptDdb(async (command, send) => {
      const out = await send();
      if (isTransactWrite(command) && dropped++ === 0) throw Object.assign(new Error('socket hang up (injected)'), { name: 'TimeoutError' });
      return out;
    });
    const key = randomUUID();
    const withdraw = () => api('POST', '/v1/withdrawals', { as: member(acc.accountNo), body: rent(acc.accountNo, '70.00'), idem: key });
    expectCleanProblem(await withdraw(), 500, 'INTERNAL');
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(193_000); // it was applied
    const retried = await withdraw();
    expect([retried.status, retried.headers['idempotency-replayed'], retried.body.amount]).toEqual([201, 'true', '70.00']);
    expect((await allEntries(acc.accountNo)).filter((e) => e.type === 'WITHDRAWAL').map((e) => e.amountFen)).toEqual([-7_000]);
    await expectBooksBalance();
  });

  it('a transaction that applied but came back cancelled on its own conditions (a late duplicate of it evaluated after it) answers with the stored response, applied once', async () => {
    const acc = await opened({ balanceFen: 200_000 });
    let duplicated = 0;
    undoDdb = interceptDdb(async (command, send) => {
      const out = await send();
      if (isTransactWrite(command) && duplicated++ === 0) {
        const items = (command as { input: { TransactItems?: unknown[] } }).input.TransactItems ?? [];
        throw new TransactionCanceledException({ message: 'injected: Transaction cancelled', $metadata: {}, CancellationReasons: items.map(() => ({ Code: 'ConditionalCheckFailed' })) });
      }
      return out;
    });
    const res = await api('POST', '/v1/withdrawals', { as: member(acc.accountNo), body: rent(acc.accountNo, '80.00') });
    expect([res.status, res.body.amount]).toEqual([201, '80.00']);
    expect((await allEntries(acc.accountNo)).filter((e) => e.type === 'WITHDRAWAL').map((e) => e.amountFen)).toEqual([-8_000]);
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(192_000);
    await expectBooksBalance();
  });
});

// ---------- 2. a crash between the commit and the message ----------

/** A unit of this branch with three employees (bases 8,000.00, 5,000.00 and 12,000.00 at 12% + 12%). */
async function unitWithThreeEmployees() {
  const unit = await api('POST', '/v1/units', {
    as: staff(branch),
    body: { name: '故障注入单位', creditCode: randomCreditCode(), branch, payDay: 10, employerRate: '12', employeeRate: '12', startPeriod: currentPeriod },
  });
  expect(unit.status, unit.raw).toBe(201);
  const unitId: string = unit.body.unitId;
  const employees: string[] = [];
  for (const monthlyBase of ['8000', '5000', '12000']) {
    const hired = await api('POST', `/v1/units/${unitId}/employees`, { as: unitAgent(unitId), body: { idNumber: uniqueResidentId(), name: '职工', monthlyBase } });
    expect(hired.status, hired.raw).toBe(201);
    employees.push(hired.body.accountNo);
  }
  accountNos.push(...employees);
  const remittance = await api('POST', `/v1/units/${unitId}/remittances`, { as: unitAgent(unitId), body: { period: currentPeriod } });
  expect(remittance.status, remittance.raw).toBe(201);
  // 1,920.00 + 1,200.00 + 2,880.00 (domain.md: round(base × 12%) twice)
  expect(remittance.body).toMatchObject({ headcount: 3, totalAmount: '6000.00', status: 'AWAITING_FUNDS' });
  return { unitId, employees, remittanceId: remittance.body.remittanceId as string };
}

async function expectRemittancePostedOnce(remittanceId: string, employees: string[]) {
  const r = await api('GET', `/v1/remittances/${remittanceId}`, { as: staff(branch) });
  expect(r.body).toMatchObject({ status: 'POSTED', postedCount: 3, postedAmount: '6000.00', skippedCount: 0 });
  const credits = await Promise.all(employees.map(async (no) => (await allEntries(no)).filter((e) => e.ref === remittanceId).map((e) => e.amountFen)));
  expect(credits).toEqual([[192_000], [120_000], [288_000]]);
}

describe('a crash between a commit and its message', () => {
  it('deposits: settlement messages lost after the commit are sent again by the client’s retry and by the sweeper; a chunk delivered three times (twice at once) posts once', async () => {
    // a. the client retries the settlement with its Idempotency-Key: the replay re-sends the chunks
    const a = await unitWithThreeEmployees();
    let crashes = 0;
    tap.failSend = (queue) => queue === 'remittance-posting' && crashes++ === 0;
    const key = randomUUID();
    const settle = () => api('POST', `/v1/remittances/${a.remittanceId}/settlements`, { as: staff(branch), body: { amount: '6000.00', bankRef: 'BANK-FT-1' }, idem: key });
    const crashed = await settle();
    if (crashed.status !== 202) expectCleanProblem(crashed, 500, 'INTERNAL');
    expect((await api('GET', `/v1/remittances/${a.remittanceId}`, { as: staff(branch) })).body.status).toBe('POSTING');
    expect(tap.take('remittance-posting', (b) => b.remittanceId === a.remittanceId)).toEqual([]);
    const retried = await settle();
    expect([retried.status, retried.headers['idempotency-replayed']]).toEqual([202, 'true']);
    const chunks = tap.take('remittance-posting', (b) => b.remittanceId === a.remittanceId);
    expect(chunks.map(bodyOf)).toMatchObject([{ remittanceId: a.remittanceId, chunkNos: [1] }]);
    // delivered twice at once, then once more
    const twice = await Promise.all([deliver('remittance-posting', [{ ...chunks[0], receiveCount: 1 }]), deliver('remittance-posting', [{ ...chunks[0], receiveCount: 1 }])]);
    expect(twice).toEqual([[], []]);
    expect(await deliver('remittance-posting', [{ ...chunks[0], receiveCount: 2 }])).toEqual([]);
    await expectRemittancePostedOnce(a.remittanceId, a.employees);

    // b. nobody retries: the scheduled sweeper (run twice) re-drives it once it is two minutes old
    const b = await unitWithThreeEmployees();
    tap.failSend = (queue) => queue === 'remittance-posting';
    const lost = await api('POST', `/v1/remittances/${b.remittanceId}/settlements`, { as: staff(branch), body: { amount: '6000.00', bankRef: 'BANK-FT-2' } });
    if (lost.status !== 202) expectCleanProblem(lost, 500, 'INTERNAL');
    tap.failSend = undefined;
    await depositsSchedule({ task: 'remittance-sweep' }, {} as never);
    expect(tap.take('remittance-posting', (m) => m.remittanceId === b.remittanceId)).toEqual([]); // too recent
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3 * 60_000 });
    try {
      await Promise.all([depositsSchedule({ task: 'remittance-sweep' }, {} as never), depositsSchedule({ task: 'remittance-sweep' }, {} as never)]);
    } finally {
      vi.useRealTimers();
    }
    const swept = tap.take('remittance-posting', (m) => m.remittanceId === b.remittanceId);
    tap.take('remittance-posting'); // other tests' stalled remittances: theirs to post
    expect(swept.length).toBeGreaterThanOrEqual(1);
    await Promise.all(swept.map((m) => deliver('remittance-posting', [{ ...m, receiveCount: 1 }])));
    await expectRemittancePostedOnce(b.remittanceId, b.employees);
    await expectBooksBalance();
  });

  it('supervision: an audit run whose fan-out was lost after the commit completes once the client retries', async () => {
    let crashes = 0;
    tap.failSend = (queue) => queue === 'audit-segments' && crashes++ === 0;
    const key = randomUUID();
    const start = () => api('POST', '/v1/supervision/audit-runs', { as: auditor(), idem: key });
    const crashed = await start();
    if (crashed.status !== 202) expectCleanProblem(crashed, 500, 'INTERNAL');
    const retried = await start();
    expect(retried.status, retried.raw).toBe(202);
    const runId: string = retried.body.runId;
    const redriven = tap.take('audit-segments', (b) => b.runId === runId);
    // The run's 64 segment messages must be sent again (by the retried request or a sweeper);
    // otherwise the run this client holds stays RUNNING for ever.
    expect(redriven.length, `segment messages of ${runId} after the client's retry`).toBeGreaterThanOrEqual(SEGMENTS);
    tap.pending.push(...redriven);
    await tap.drain({ queue: 'audit-segments', concurrency: 8 });
    const run = await api('GET', `/v1/supervision/audit-runs/${runId}`, { as: auditor() });
    expect(run.body).toMatchObject({ status: 'COMPLETED', segments: { total: SEGMENTS, done: SEGMENTS } });
  });
});

// ---------- 2 and 3 for the inter-provincial queues ----------

describe('inter-provincial: lost messages are relayed by the sweeper; redelivered messages act once', () => {
  const lost: { requestTracking?: string; requestAccount?: string; callbackTracking?: string; transferId?: string; transferAccount?: string; committedAt?: number } = {};

  const transferRequest = (person: { idNumber: string; name: string }) =>
    partnerApi(partnerCode, partnerSecret, 'POST', '/v1/interprovincial/requests', { requestId: `R-${randomUUID()}`, type: 'TRANSFER_REQUEST', payload: { idNumber: person.idNumber, name: person.name } });

  beforeAll(async () => {
    // (a) a partner's request whose dispatch to the inbound queue is lost
    const sealed = await opened({ balanceFen: 1_234_567, status: 'SEALED', openedOn: '2025-07-01' });
    tap.failSend = (queue) => queue === 'interprovincial-inbound';
    const accepted = await transferRequest(sealed);
    expect(accepted.status, accepted.raw).toBe(202);
    lost.requestTracking = accepted.body.trackingId;
    lost.requestAccount = sealed.accountNo;
    // (b) a request processed, whose callback's dispatch is lost
    const other = await opened({ balanceFen: 70_000, status: 'SEALED' });
    tap.failSend = undefined;
    const second = await transferRequest(other);
    const [message] = tap.take('interprovincial-inbound', (b) => b.trackingId === second.body.trackingId);
    tap.failSend = (queue) => queue === 'interprovincial-outbound';
    expect(await deliver('interprovincial-inbound', [{ ...message, receiveCount: 1 }])).toEqual([]);
    lost.callbackTracking = second.body.trackingId;
    // (c) our transfer request (a member moved here) whose dispatch is lost
    const here = await opened({ balanceFen: 10_000 });
    const requested = await api('POST', '/v1/interprovincial/transfer-requests', { as: staff(branch), body: { idNumber: here.idNumber, name: here.name, fromCenter: partnerCode, toAccountNo: here.accountNo } });
    expect(requested.status, requested.raw).toBe(202);
    lost.transferId = requested.body.transferId;
    lost.transferAccount = here.accountNo;
    lost.committedAt = Date.now();
    tap.failSend = undefined;
    expect(tap.take('interprovincial-outbound')).toEqual([]);
  });

  it('an inbound transfer request delivered three times (twice at once) moves the balance out once; its callback, delivered twice, is posted once', async () => {
    const a = await opened({ balanceFen: 2_000_000, status: 'SEALED', openedOn: '2025-07-01' });
    const accepted = await transferRequest(a);
    const trackingId: string = accepted.body.trackingId;
    const [message] = tap.take('interprovincial-inbound', (b) => b.trackingId === trackingId);
    expect(message.groupId).toBeTruthy();
    await Promise.all([deliver('interprovincial-inbound', [{ ...message, receiveCount: 1 }]), deliver('interprovincial-inbound', [{ ...message, receiveCount: 1 }])]);
    expect(await deliver('interprovincial-inbound', [{ ...message, receiveCount: 2 }])).toEqual([]);
    const done = await getRequest(trackingId);
    expect(done?.status).toBe('COMPLETED');
    const entries = await allEntries(a.accountNo);
    const out = entries.filter((e) => e.type === 'TRANSFER_OUT');
    const interestFen = entries.filter((e) => e.type === 'INTEREST').reduce((s, e) => s + e.amountFen, 0);
    expect(out).toHaveLength(1);
    expect(interestFen).toBeGreaterThan(0); // from 2025-07-01 to today
    expect(-out[0].amountFen).toBe(2_000_000 + interestFen);
    expect(done?.result).toMatchObject({ amount: fenToYuan(-out[0].amountFen), interest: fenToYuan(interestFen) });
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'CLOSED', statusCode: '04', balanceFen: 0 });

    // the same requestId again: the same tracking id, nothing dispatched, nothing done
    const resent = await partnerApi(partnerCode, partnerSecret, 'POST', '/v1/interprovincial/requests', { requestId: done!.requestId, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
    expect(resent.body).toEqual({ trackingId, status: 'RECEIVED' });
    expect(tap.take('interprovincial-inbound', (b) => b.trackingId === trackingId)).toEqual([]);

    const callbacks = tap.take('interprovincial-outbound', (b) => b.outboxId === `CB-${trackingId}`);
    expect(callbacks).toHaveLength(1);
    const before = partner.received.length;
    for (const receiveCount of [1, 2]) expect(await deliver('interprovincial-outbound', [{ ...callbacks[0], receiveCount }])).toEqual([]);
    const posted = partner.received.slice(before).filter((r) => r.body.includes(trackingId));
    expect(posted).toHaveLength(1);
    expect(JSON.parse(posted[0].body)).toMatchObject({ trackingId, status: 'COMPLETED', type: 'TRANSFER_REQUEST' });
    expect((await getOutbox(`CB-${trackingId}`))?.status).toBe('DELIVERED');
    await expectBooksBalance();
  });

  it('after their due time the sweeper relays the lost request, callback and transfer request; the partner’s repeated callback credits once', async () => {
    // the sweeper looks at records pending for 30 s: wait for ours (real time, so that other
    // tests' records that are not yet overdue are left alone)
    await new Promise((r) => setTimeout(r, Math.max(0, lost.committedAt! + 31_000 - Date.now())));
    await interprovincialSchedule({ task: 'sweep-outbox', partner: partnerCode }, {} as never); // ours only: other files' records are theirs
    const relayedRequest = tap.take('interprovincial-inbound', (b) => b.trackingId === lost.requestTracking);
    const relayedCallback = tap.take('interprovincial-outbound', (b) => b.outboxId === `CB-${lost.callbackTracking}`);
    const relayedTransfer = tap.take('interprovincial-outbound', (b) => b.outboxId === `TR-${lost.transferId}`);
    tap.take('interprovincial-inbound');
    tap.take('interprovincial-outbound'); // this file's other overdue records: not this scenario's to deliver
    expect([relayedRequest.length, relayedCallback.length, relayedTransfer.length]).toEqual([1, 1, 1]);
    expect((await getRequest(lost.requestTracking!))?.sweeps).toBe(1);

    // the request: processed once, and its own callback posted
    expect(await deliver('interprovincial-inbound', [{ ...relayedRequest[0], receiveCount: 1 }])).toEqual([]);
    expect((await getRequest(lost.requestTracking!))?.status).toBe('COMPLETED');
    expect((await allEntries(lost.requestAccount!)).filter((e) => e.type === 'TRANSFER_OUT')).toHaveLength(1);
    const before = partner.received.length;
    await tap.drain({ queue: 'interprovincial-outbound' });
    for (const m of [...relayedCallback, ...relayedTransfer]) expect(await deliver('interprovincial-outbound', [{ ...m, receiveCount: 1 }])).toEqual([]);
    const posted = partner.received.slice(before);
    expect(posted.filter((p) => p.body.includes(lost.requestTracking!))).toHaveLength(1);
    expect(posted.filter((p) => p.body.includes(lost.callbackTracking!))).toHaveLength(1);
    const transferPosts = posted.filter((p) => p.path === '/v1/interprovincial/requests' && p.body.includes(lost.transferId!));
    expect(transferPosts).toHaveLength(1);
    expect(JSON.parse(transferPosts[0].body)).toMatchObject({ requestId: lost.transferId, type: 'TRANSFER_REQUEST' });
    expect((await getTransfer(lost.transferId!))?.status).toBe('SENT');

    // the partner's outcome, sent twice (two nonces): 888.88 credited once
    const callback = { trackingId: `PT-${randomUUID()}`, requestId: lost.transferId, type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: { amount: '888.88', interest: '1.23', closedOn: today } };
    for (let i = 0; i < 2; i++) {
      const res = await partnerApi(partnerCode, partnerSecret, 'POST', '/v1/interprovincial/callbacks', callback);
      expect(res.status, res.raw).toBe(200);
      expect(res.body).toMatchObject({ transferId: lost.transferId, status: 'COMPLETED', amount: '888.88' });
    }
    expect((await allEntries(lost.transferAccount!)).filter((e) => e.type === 'TRANSFER_IN').map((e) => e.amountFen)).toEqual([88_888]);
    expect((await mustGetAccount(lost.transferAccount!)).balanceFen).toBe(10_000 + 88_888);
    await expectBooksBalance();
  }, 60_000);
});

// ---------- 3 and 4: scheduled runs, twice and at once, every page delivered twice ----------

describe('scheduled runs executed twice or concurrently; their messages delivered twice', () => {
  it('loans daily for a due date, run twice at once, each message delivered twice: the monthly offset pays the installment once', async () => {
    const borrower = await opened({ balanceFen: 0 });
    await commit({
      plan: async () => {
        const account = await mustGetAccount(borrower.accountNo);
        const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 500_000, type: 'REMITTANCE' as const, period: addMonths(currentPeriod, i - 6), ref: 'faults-fixture', valueDate: today }));
        return { items: ledgerWrite([{ account, postings }]).items, body: null };
      },
    });
    const application = { accountNo: borrower.accountNo, housePrice: '1000000', firstHome: true, termMonths: 12, monthlyIncome: '20000', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount: '10000' };
    const applied = await api('POST', '/v1/loans', { as: member(borrower.accountNo), body: application });
    expect(applied.status, applied.raw).toBe(201);
    const loanId: string = applied.body.loanId;
    expect((await api('POST', `/v1/loans/${loanId}/approve`, { as: staff(branch), body: {} })).status).toBe(200);
    // due on the 1st: the earliest due date any loan disbursed from today can have, so that the run
    // for it finds no other test's installment overdue
    const disbursed = await api('POST', `/v1/loans/${loanId}/disburse`, { as: staff(branch), body: { payee: SELLER, disbursedOn: today, dueDay: 1 } });
    expect(disbursed.status, disbursed.raw).toBe(200);
    expect((await api('PUT', `/v1/loans/${loanId}/offset`, { as: member(borrower.accountNo), body: { enabled: true } })).status).toBe(200);
    const [first] = (await api('GET', `/v1/loans/${loanId}/schedule`, { as: staff(branch) })).body.installments;
    expect(first.dueDate).toBe(`${addMonths(currentPeriod, 1)}-01`);
    const before = (await mustGetAccount(borrower.accountNo)).balanceFen;

    await Promise.all([loansSchedule({ task: 'daily', date: first.dueDate }, {} as never), loansSchedule({ task: 'daily', date: first.dueDate }, {} as never)]);
    const messages = tap.take('loan-batch');
    expect(messages.length).toBe(2 * 16);
    tap.pending.push(...messages, ...messages.map((m) => ({ ...m, messageId: randomUUID() })));
    await tap.drain({ queue: 'loan-batch', concurrency: 8 });

    const installments = (await api('GET', `/v1/loans/${loanId}/schedule`, { as: staff(branch) })).body.installments;
    expect(installments[0]).toMatchObject({ status: 'PAID', paid: first.payment });
    expect(installments.slice(1).every((r: { status: string }) => r.status === 'DUE')).toBe(true);
    const offsets = (await allEntries(borrower.accountNo)).filter((e) => e.type === 'LOAN_OFFSET');
    expect(offsets.map((e) => [e.amountFen, e.entryKey])).toEqual([[-yuanToFen(first.payment), `OFFSET-${loanId}-1`]]);
    expect((await mustGetAccount(borrower.accountNo)).balanceFen).toBe(before - yuanToFen(first.payment));
    await expectBooksBalance();
  });

  it('interest settlement for 2016 requested three times (twice at once), every page delivered twice: each account credited once', async () => {
    // Year 2016 = 2015-07-01 … 2016-06-30. No other test has an account accruing in it.
    // 100,000.00 × 366 days × 1.50% / 360 = 1,525.00; 50,000.00 × 182 days × 1.50% / 360 = 379.166… → 379.17
    const a = await opened({ balanceFen: 10_000_000, openedOn: '2015-07-01' });
    const b = await opened({ balanceFen: 5_000_000, openedOn: '2016-01-01' });
    const start = () => api('POST', '/v1/interest-settlements', { as: admin(), body: { year: 2016 } });
    const starts = [...(await Promise.all([start(), start()])), await start()];
    expect(starts.map((s) => [s.status, s.body.runId])).toEqual(Array(3).fill([202, 'INT-2016']));
    const pages = tap.take('interest-settlement');
    expect(pages.length).toBeGreaterThanOrEqual(SEGMENTS);
    tap.pending.push(...pages, ...pages.map((m) => ({ ...m, messageId: randomUUID() })));
    await tap.drain({ queue: 'interest-settlement', concurrency: 8 });

    const run = await api('GET', '/v1/interest-settlements/INT-2016', { as: auditor() });
    expect(run.body).toMatchObject({ status: 'COMPLETED', accounts: 2, totalInterest: '1904.17', segmentsDone: SEGMENTS });
    for (const [acc, fen] of [[a, 152_500], [b, 37_917]] as const) {
      const interest = (await allEntries(acc.accountNo)).filter((e) => e.entryKey === 'INTEREST-2016');
      expect(interest.map((e) => [e.amountFen, e.valueDate])).toEqual([[fen, '2016-07-01']]);
    }
    await expectBooksBalance();
  });

  it('two audit runs at once, every page delivered twice, one page redelivered after a crash and after its segment grew: each page counted once, each finding once', async () => {
    // an account above the base cap: a BASE_ABOVE_CAP finding
    const high = await opened({ balanceFen: 1_000 });
    await commit({ plan: async () => ({ items: ledgerWrite([{ account: await mustGetAccount(high.accountNo), changes: { monthlyBaseFen: 2_500_000 } }]).items, body: null }) });
    // a segment with more than one page (100 accounts), so that its first page has a continuation
    const segment = segmentOf(high.accountNo);
    let inSegment = 0;
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await listAccountsOfSegment(segment, 200, cursor);
      inSegment += page.items.length;
      cursor = page.nextCursor ?? undefined;
    }
    for (let i = inSegment; i < 105; i += 5) await Promise.all(Array.from({ length: 5 }, () => openInSegment(segment)));

    const [one, two] = await Promise.all([api('POST', '/v1/supervision/audit-runs', { as: auditor() }), api('POST', '/v1/supervision/audit-runs', { as: auditor() })]);
    expect([one.status, two.status]).toEqual([202, 202]);
    const firstPages = tap.take('audit-segments', (b) => b.runId === one.body.runId && b.segment === segment);
    expect(firstPages).toHaveLength(1);
    // run one: the segment's first page is delivered and the worker dies after sending the next
    // page, before counting this one; the segment grows; the page comes again
    faults.beforeWrite = () => {
      throw new Error('injected: the worker died before counting its page');
    };
    expect(await deliver('audit-segments', [{ ...firstPages[0], receiveCount: 1 }])).toEqual([firstPages[0].messageId]);
    faults.beforeWrite = undefined;
    const lastKey = (await listAccountsOfSegment(segment, 100)).items[99].accountNo;
    await openInSegment(segment, lastKey);
    expect(await deliver('audit-segments', [{ ...firstPages[0], receiveCount: 2 }])).toEqual([]);
    const continuations = tap.pending.filter((m) => m.queue === 'audit-segments' && bodyOf(m).runId === one.body.runId && bodyOf(m).segment === segment);
    // the redelivered page must continue the chain its first delivery started, not fork a second one
    // (a fork counts the rest of the segment twice: the run's accounts and balance sum)
    expect.soft(new Set(continuations.map((m) => m.body)).size, 'next-page messages sent for one page of one run').toBe(1);

    // everything else of both runs, each message delivered twice
    const rest = tap.take('audit-segments');
    tap.pending.push(...rest, ...rest.map((m) => ({ ...m, messageId: randomUUID() })));
    await tap.drain({ queue: 'audit-segments', concurrency: 8 });

    for (const runId of [one.body.runId, two.body.runId]) {
      const run = await api('GET', `/v1/supervision/audit-runs/${runId}`, { as: auditor() });
      expect.soft(run.body, `run ${runId}`).toMatchObject({ status: 'COMPLETED', segments: { total: SEGMENTS, done: SEGMENTS } });
    }
    const findings: { subject: string }[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page: ApiResult = await api('GET', `/v1/supervision/findings?status=OPEN&rule=BASE_ABOVE_CAP&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { as: auditor() });
      findings.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(findings.filter((f) => f.subject === high.accountNo)).toHaveLength(1);
    await expectBooksBalance();
  }, 120_000);
});

describe('an audit run whose finalisation fails', () => {
  it('is finalised by the redelivery of its last page: the run COMPLETED', async () => {
    const started = await api('POST', '/v1/supervision/audit-runs', { as: auditor() });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    // the completion write fails once (a throttle after the claim): the finaliser's message fails
    let failures = 0;
    const undo = interceptDdb(async (command, send) => {
      const input = (command as { input?: { UpdateExpression?: string; Key?: { pk?: string } } }).input;
      if (failures === 0 && input?.Key?.pk === `RUN#${runId}` && input.UpdateExpression?.startsWith('SET #s = :done')) {
        failures++;
        throw injectedErrors.throttling();
      }
      return send();
    });
    try {
      const mine = tap.take('audit-segments', (b) => b.runId === runId);
      tap.pending.push(...mine);
      await tap.drain({ queue: 'audit-segments', concurrency: 4 });
    } finally {
      undo();
    }
    expect(failures).toBe(1);
    const run = await api('GET', `/v1/supervision/audit-runs/${runId}`, { as: auditor() });
    expect(run.body).toMatchObject({ status: 'COMPLETED', segments: { total: SEGMENTS, done: SEGMENTS } });
  }, 120_000);
});

// ---------- 5. the runtime killed and restarted on its data ----------

describe('the local runtime killed and restarted with its persisted data', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dataDir = mkdtempSync(join(tmpdir(), 'hpf-restart-'));
  const children: ChildProcess[] = [];

  /** Starts `npm start` (main.ts) on `port` with `--data`; resolves when /v1/health answers. */
  async function startRuntime(port: number): Promise<ChildProcess> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TABLE_|QUEUE_|AWS_ENDPOINT_URL|HPF_)/.test(k)));
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--port', String(port), '--data', dataDir, '--no-scheduler'], { cwd: root, env: { ...env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the runtime exited: ${output}`);
      if (await fetch(`http://127.0.0.1:${port}/v1/health`).then((r) => r.ok, () => false)) return child;
      if (Date.now() > deadline) throw new Error(`the runtime did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL: the runtime and its DynamoDB Local die without any shutdown. */
  async function kill(child: ChildProcess) {
    const javaPids = spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean).map(Number);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    for (const pid of javaPids) process.kill(pid, 'SIGKILL');
    await exited;
    for (const pid of javaPids) while (spawnSync('ps', ['-p', String(pid)]).status === 0) await new Promise((r) => setTimeout(r, 50));
  }

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('balances, entries and idempotent replays survive a SIGKILL', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const tokenOf = (claims: { sub: string; role: string; branch?: string; accountNo?: string }) => mintToken(claims, { secret: DEFAULT_DEV_SECRET });
    const staffToken = await tokenOf({ sub: 'restart-staff', role: 'staff', branch: 'RST' });
    const http = async (method: string, path: string, token: string, body?: unknown, key?: string) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (key) headers['idempotency-key'] = key;
      const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const raw = await res.text();
      return { status: res.status, raw, body: raw ? JSON.parse(raw) : undefined, replayed: res.headers.get('idempotency-replayed') };
    };

    let child = await startRuntime(port);
    const openedAcc = await http('POST', '/v1/flexible-accounts', staffToken, { idNumber: uniqueResidentId(), name: '重启验证', monthlyBase: '8000', rate: '12' }, randomUUID());
    expect(openedAcc.status, openedAcc.raw).toBe(201);
    const accountNo: string = openedAcc.body.accountNo;
    const memberToken = await tokenOf({ sub: `member-${accountNo}`, role: 'member', accountNo });
    const writes = [
      { path: `/v1/accounts/${accountNo}/deposits`, token: staffToken, body: { period: addMonths(currentPeriod, -2), amount: '960.00', bankRef: 'RST-1' }, key: randomUUID() },
      { path: `/v1/accounts/${accountNo}/deposits`, token: staffToken, body: { period: addMonths(currentPeriod, -1), amount: '960.00', bankRef: 'RST-2' }, key: randomUUID() },
      { path: '/v1/withdrawals', token: memberToken, body: rent(accountNo, '500.00'), key: randomUUID() },
    ];
    const first = [];
    for (const w of writes) first.push(await http('POST', w.path, w.token, w.body, w.key));
    expect(first.map((r) => r.status)).toEqual([201, 201, 201]);
    const account = await http('GET', `/v1/accounts/${accountNo}`, staffToken);
    expect(account.body.balance).toBe('1420.00');
    const entries = await http('GET', `/v1/accounts/${accountNo}/entries`, staffToken);
    expect(entries.body.items).toHaveLength(3);

    await kill(child);
    child = await startRuntime(port);

    expect((await http('GET', `/v1/accounts/${accountNo}`, staffToken)).raw).toBe(account.raw);
    expect((await http('GET', `/v1/accounts/${accountNo}/entries`, staffToken)).raw).toBe(entries.raw);
    for (const [i, w] of writes.entries()) {
      const replay = await http('POST', w.path, w.token, w.body, w.key);
      expect([replay.status, replay.replayed, replay.raw]).toEqual([201, 'true', first[i].raw]);
    }
    expect((await http('GET', `/v1/accounts/${accountNo}`, staffToken)).body.balance).toBe('1420.00');
    // and it goes on working
    const more = await http('POST', `/v1/accounts/${accountNo}/deposits`, staffToken, { period: currentPeriod, amount: '960.00', bankRef: 'RST-3' }, randomUUID());
    expect(more.status, more.raw).toBe(201);
    expect((await http('GET', `/v1/accounts/${accountNo}`, staffToken)).body.balance).toBe('2380.00');
  }, 240_000);
});
