// Remittances (汇缴): the list is built from the unit's NORMAL employees and stored in chunks; the
// bank's confirmation settles it (AWAITING_FUNDS → POSTING) and the worker posts one chunk per
// transaction (chunk PENDING → POSTED + every account's credit), so a crash, a redelivered message or a
// second confirmation never credits twice. When every chunk is posted the remittance is POSTED.
//
// No dual write: the settlement commits first and then enqueues the chunks. If that send is lost,
// (a) repeating the settlement request (same Idempotency-Key) replays the 202 and enqueues the pending
// chunks again, and (b) the scheduled sweeper (`remittance-sweep`) re-enqueues the pending chunks of
// every remittance still POSTING some minutes after its settlement. Chunks are idempotent, so extra
// messages are harmless.
//
// Decisions: the list is a snapshot: an employee sealed after the list was made is still credited
// (the unit paid for that period; credits to SEALED accounts are allowed). A REGULAR list holds the
// unit's active employees (NORMAL, or FROZEN while employed: credits post on a frozen account) at the
// base in force in the period; a BACKPAY list holds everyone employed by the unit IN THE ORIGINAL
// PERIOD (the employment history), sealed since or not, at the base in force then. A line whose account was
// CLOSED meanwhile (transferred out) cannot be credited: it is recorded as skipped on its chunk and
// counted in `skippedCount`/`skippedAmount` for the refund to the unit.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { fail } from '../../../shared/errors.ts';
import { businessDate, isoAfter, now, nowIso, nowMs, periodOf } from '../../../shared/clock.ts';
import { newId } from '../../../shared/ids.ts';
import type { Caller } from '../../../shared/auth.ts';
import { send } from '../../../shared/sqs.ts';
import type { Logger } from '../../../shared/log.ts';
import { archiveItem, type ArchiveActor } from '../../../shared/archive.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { fenToYuan } from '../../../shared/money.ts';
import { getAccounts, ledgerWrite, listAccountsOfUnit, type Account, type AccountWrite } from '../../../shared/ledger/ledger.ts';
import * as store from '../store.ts';
import { assertReadsUnit, assertStaffCoversRecord, recordNotFound } from '../domain/access.ts';
import { assertRemittablePeriod, backpayRoll, chunked, lineFen, linesOf, LINES_PER_CHUNK, monthlyShares, ratesFor, regularRoll, totalFen, type RollEntry } from '../domain/rules.ts';
import { remittanceView } from '../domain/views.ts';
import type { Remittance, RemittanceChunk, RemittanceKind, Unit } from '../domain/types.ts';
import { completeStalledAdjustments, unitFor } from './units.ts';
import { actorOf, SYSTEM_ACTOR, unitOwner } from './archive.ts';
import type { PostingTerms, RemittanceChunkMessage } from '../queue.ts';


const CHUNKS_PER_MESSAGE = 5;

/** Where chunk messages go. Test seam (like `faults` in shared/tx.ts): a test may capture them. */
export const remittanceDispatch = {
  send: (messages: RemittanceChunkMessage[]) => send('remittance-posting', ...messages.map((body) => ({ body }))),
};

const ACCOUNTS_PAGE = 1000;

async function accountsOfUnit(unitId: string): Promise<Account[]> {
  const accounts: Account[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAccountsOfUnit(unitId, ACCOUNTS_PAGE, cursor);
    accounts.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return accounts;
}

/** Who the list of a period holds, and at which base (domain/rules.ts regularRoll, backpayRoll). */
async function rollOf(unit: Unit, period: string, kind: RemittanceKind): Promise<RollEntry[]> {
  const [employments, current] = await Promise.all([store.listEmployments(unit.unitId), accountsOfUnit(unit.unitId)]);
  if (kind === 'REGULAR') return regularRoll(unit.unitId, period, current, employments);
  const accounts = new Map(current.map((a) => [a.accountNo, a]));
  const elsewhere = [...employments.keys()].filter((no) => !accounts.has(no)); // sealed here, or employed by another unit since
  for (const [no, a] of await getAccounts(elsewhere)) accounts.set(no, a);
  return backpayRoll(unit.unitId, period, accounts, employments);
}

export async function createRemittance(caller: Caller, unitId: string, input: { period: string; kind: RemittanceKind }, idempotency?: IdempotencyContext) {
  await completeStalledAdjustments(await unitFor(caller, unitId)); // never a list from a half-applied base adjustment
  return commit({
    idempotency,
    plan: async () => {
      const unit = await unitFor(caller, unitId);
      assertRemittablePeriod(unit, input.period, input.kind, periodOf(businessDate()));
      const claim = await store.getPeriodClaim(unitId, input.period);
      if (claim) fail('CONFLICT', `Period ${input.period} already has remittance ${claim.remittanceId} / 该期间已汇缴`);
      const rates = ratesFor(unit.rateHistory, input.period);
      const lines = linesOf(await rollOf(unit, input.period, input.kind), rates);
      if (lines.length === 0) fail('POLICY_VIOLATION', `No active employee owes for ${input.period} / 该期间无应缴职工`);
      const remittanceId = newId('R');
      const chunks: RemittanceChunk[] = chunked(lines, LINES_PER_CHUNK).map((l, i) => ({ remittanceId, chunkNo: i + 1, status: 'PENDING', lines: l }));
      await store.putChunks(chunks);
      const remittance: Remittance = {
        remittanceId,
        unitId,
        branch: unit.branch,
        period: input.period,
        kind: input.kind,
        status: 'AWAITING_FUNDS',
        employerRatePercent: rates.employerRatePercent,
        employeeRatePercent: rates.employeeRatePercent,
        headcount: lines.length,
        totalFen: totalFen(lines),
        chunkCount: chunks.length,
        postedChunks: 0,
        postedCount: 0,
        postedFen: 0,
        skippedCount: 0,
        skippedFen: 0,
        createdAt: nowIso(),
      };
      const remitted = input.kind === 'REGULAR' && (!unit.lastRemittedPeriod || input.period > unit.lastRemittedPeriod);
      const unitItems = remitted ? [store.unitChangeItem(unit, { lastRemittedPeriod: input.period }, remittance.createdAt)] : [];
      const archived = archiveItem({ subjectType: 'REMITTANCE', subjectId: remittanceId, action: 'CREATE', actor: actorOf(caller), submitted: input, decision: { status: 'AWAITING_FUNDS', headcount: lines.length, totalAmount: fenToYuan(remittance.totalFen) }, owner: unitOwner(unit), at: remittance.createdAt });
      return { items: [...store.newRemittanceItems(remittance), ...unitItems, archived], body: remittanceView(remittance) };
    },
  });
}

async function mustGetRemittance(remittanceId: string): Promise<Remittance> {
  return (await store.getRemittance(remittanceId)) ?? recordNotFound('Remittance');
}

export async function getRemittanceView(caller: Caller, remittanceId: string) {
  const r = await mustGetRemittance(remittanceId);
  assertReadsUnit(caller, r, 'Remittance');
  return remittanceView(r);
}

/**
 * GET /v1/units/{unitId}/remittances: the unit's remittance lists, newest period first, a page at a
 * time; whoever may read the unit (its agent, staff of its branch, auditors), others its 404.
 */
export async function listRemittances(caller: Caller, unitId: string, limit: number, cursor?: string) {
  assertReadsUnit(caller, (await store.getUnit(unitId)) ?? recordNotFound('Unit'));
  const page = await store.listRemittancesOfUnit(unitId, limit, cursor);
  return { items: page.items.map(remittanceView), nextCursor: page.nextCursor };
}

/** Why a settlement is refused (the staff route answers 404 / 422 POLICY_VIOLATION / 409 INVALID_STATE). */
export type SettlementRefusal = 'NOT_FOUND' | 'AMOUNT_MISMATCH' | 'NOT_AWAITING_FUNDS';

export interface SettlementInput {
  amountFen: number;
  bankRef: string;
  /** Who settles: the staff member (route) or the bank (an arrival notice, deposits/public.ts). */
  actor: ArchiveActor;
  /** The instant of the settlement (default now): settledAt, and its business date is the credits' value date. */
  at?: Date;
}

export type SettlementPlan = { ok: true; items: TxItem[]; remittance: Remittance } | { ok: false; reason: SettlementRefusal; remittance?: Remittance };

/**
 * The one code path of a remittance's settlement (the staff route and the bank's arrival notice):
 * AWAITING_FUNDS → POSTING with the settlement facts, the unit's funded period, the archive record.
 * The amount must equal the list's total to the fen. Reads, decides, returns the items (the
 * remittance's update is conditioned on AWAITING_FUNDS: a plan committed twice settles once); commits
 * nothing. After the commit the caller starts the posting: driveRemittance(remittanceId).
 */
export async function planSettlement(remittanceId: string, input: SettlementInput): Promise<SettlementPlan> {
  const r = await store.getRemittance(remittanceId);
  if (!r) return { ok: false, reason: 'NOT_FOUND' };
  if (r.status !== 'AWAITING_FUNDS') return { ok: false, reason: 'NOT_AWAITING_FUNDS', remittance: r };
  if (input.amountFen !== r.totalFen) return { ok: false, reason: 'AMOUNT_MISMATCH', remittance: r };
  const at = input.at ?? now();
  const settlement = { amountFen: input.amountFen, bankRef: input.bankRef, settledOn: businessDate(at), settledAt: at.toISOString(), settledBy: input.actor.sub };
  // the period is funded now: arrears are measured from the latest funded REGULAR period
  const unit = r.kind === 'REGULAR' ? await store.getUnit(r.unitId) : undefined;
  const funded = unit && (!unit.lastFundedPeriod || r.period > unit.lastFundedPeriod) ? [store.fundedPeriodItem(r.unitId, r.period)] : [];
  const archived = archiveItem({ subjectType: 'REMITTANCE', subjectId: remittanceId, action: 'SETTLE', actor: input.actor, submitted: { amount: fenToYuan(input.amountFen), bankRef: input.bankRef }, decision: { status: 'POSTING' }, owner: unitOwner(r), at: settlement.settledAt });
  return { ok: true, items: [store.settleItem(remittanceId, settlement), ...funded, archived], remittance: r };
}

/** The bank confirmed the funds (staff route): planSettlement, its refusals as the route's errors. */
export async function settleRemittance(caller: Caller, remittanceId: string, input: { amountFen: number; bankRef: string }, idempotency?: IdempotencyContext) {
  assertStaffCoversRecord(caller, await mustGetRemittance(remittanceId), 'Remittance');
  const out = await commit({
    idempotency,
    plan: async () => {
      const p = await planSettlement(remittanceId, { ...input, actor: actorOf(caller) });
      if (!p.ok) {
        if (p.reason === 'NOT_FOUND') return recordNotFound('Remittance');
        if (p.reason === 'NOT_AWAITING_FUNDS') fail('INVALID_STATE', `Remittance is already settled (${p.remittance!.status}) / 汇缴单已确认到账`);
        return fail('POLICY_VIOLATION', `Funds received differ from the total of the list / 到账金额与清册合计不符`, [{ path: 'amount', message: 'must equal totalAmount' }]);
      }
      return { items: p.items, body: { remittanceId, status: 'POSTING' as const, totalAmount: remittanceView(p.remittance).totalAmount } };
    },
  });
  await driveRemittance(remittanceId);
  return out;
}

/**
 * (Re-)enqueues the pending chunks of a remittance still POSTING; when every chunk is posted but the
 * remittance is not yet marked (a crash after the last chunk), one message of its last chunk: the
 * worker, which finishes remittances, skips the posted chunk and marks it POSTED. Safe to repeat.
 */
export async function driveRemittance(remittanceId: string): Promise<void> {
  const r = await store.getRemittance(remittanceId);
  if (!r?.settlement || r.status !== 'POSTING') return;
  const terms: PostingTerms = {
    period: r.period,
    kind: r.kind,
    valueDate: r.settlement.settledOn,
    employerRatePercent: r.employerRatePercent,
    employeeRatePercent: r.employeeRatePercent,
    chunkCount: r.chunkCount,
    unitId: r.unitId,
  };
  const pending = await store.pendingChunkNos(remittanceId);
  const chunkNos = pending.length ? pending : [r.chunkCount];
  await remittanceDispatch.send(chunked(chunkNos, CHUNKS_PER_MESSAGE).map((nos) => ({ remittanceId, chunkNos: nos, terms })));
}

/**
 * The worker: posts each chunk of the message in its own transaction, at most once. The message's
 * chunks and all their accounts are read up front in batches; each chunk's transaction is conditioned
 * on the chunk being PENDING and on every account's revision read, and one that loses a race (a
 * duplicate delivery, a concurrent posting to an account) re-plans from fresh reads of its chunk.
 * Messages are only sent for settled remittances (driveRemittance) and carry its terms, hence no read
 * of the remittance.
 */
export async function postChunks(msg: RemittanceChunkMessage, log: Logger): Promise<void> {
  const chunks = await store.getChunks(msg.remittanceId, msg.chunkNos);
  if (chunks.length !== msg.chunkNos.length) throw new Error(`chunks of ${msg.remittanceId} are missing`);
  const pending = chunks.filter((c) => c.status === 'PENDING');
  const accounts = await readAccounts(pending.flatMap((c) => c.lines.map((l) => l.accountNo)));
  for (const chunk of pending) await postChunk(msg.remittanceId, msg.terms, chunk, accounts);
  if (await finishIfComplete(msg.remittanceId)) log.info('remittance posted', { remittanceId: msg.remittanceId });
}

/** Keys per BatchGetItem request (DynamoDB's limit). */
const BATCH_GET_KEYS = 100;

/** Accounts by number, the BatchGet requests of 100 keys in parallel. */
async function readAccounts(accountNos: readonly string[]): Promise<Map<string, Account>> {
  const pages = await Promise.all(chunked(accountNos, BATCH_GET_KEYS).map((page) => getAccounts(page)));
  return new Map(pages.flatMap((page) => [...page]));
}

async function postChunk(remittanceId: string, terms: PostingTerms, read: RemittanceChunk, accountsRead: Map<string, Account>) {
  await commit({
    plan: async (attempt) => {
      // the first attempt uses the message's batch reads; a retry reads the chunk and its accounts again
      const chunk = attempt === 0 ? read : await store.getChunk(remittanceId, read.chunkNo);
      if (!chunk) throw new Error(`chunk ${read.chunkNo} of ${remittanceId} is missing`);
      if (chunk.status === 'POSTED') return { items: [], body: null };
      const accounts = attempt === 0 ? accountsRead : await getAccounts(chunk.lines.map((l) => l.accountNo));
      const writes: AccountWrite[] = [];
      const skipped: string[] = [];
      let skippedFen = 0;
      for (const line of chunk.lines) {
        const account = accounts.get(line.accountNo);
        if (!account || account.status === 'CLOSED') {
          skipped.push(line.accountNo);
          skippedFen += lineFen(line);
          continue;
        }
        const latest = !account.lastPaidPeriod || terms.period >= account.lastPaidPeriod;
        // the account's current terms follow the unit's latest REGULAR list only while it works there (not
        // a back-pay, not an employee sealed since or now with another unit)
        const currentTerms = latest && terms.kind === 'REGULAR' && (terms.unitId === undefined || account.unitId === terms.unitId) && account.status === 'NORMAL';
        writes.push({
          account,
          postings: [{ amountFen: lineFen(line), type: terms.kind === 'BACKPAY' ? 'BACKPAY' : 'REMITTANCE', ref: remittanceId, period: terms.period, valueDate: terms.valueDate }],
          changes: currentTerms
            ? { lastPaidPeriod: terms.period, employerRatePercent: terms.employerRatePercent, employeeRatePercent: terms.employeeRatePercent, monthlyAmountFen: monthlyShares(account.monthlyBaseFen, terms.employerRatePercent, terms.employeeRatePercent).monthlyFen }
            : latest
              ? { lastPaidPeriod: terms.period }
              : undefined,
        });
      }
      const w = ledgerWrite(writes);
      const postedFen = w.entries.reduce((s, e) => s + e.amountFen, 0);
      const progress = { count: writes.length, fen: postedFen, skippedCount: skipped.length, skippedFen };
      return { items: [...w.items, ...store.chunkPostedItems(chunk, progress, skipped, nowIso())], body: null };
    },
  });
}

/**
 * POSTING → POSTED once every chunk is posted, with its archive record (conditional: done once; a
 * redelivered last message finds it POSTED and writes nothing). True when this call marked it.
 */
async function finishIfComplete(remittanceId: string): Promise<boolean> {
  const out = await commit({
    plan: async () => {
      const r = await store.getRemittance(remittanceId);
      if (!r || r.status !== 'POSTING' || r.postedChunks < r.chunkCount) return { items: [], body: false };
      const at = nowIso();
      const archived = archiveItem({
        subjectType: 'REMITTANCE',
        subjectId: remittanceId,
        action: 'POSTED',
        actor: SYSTEM_ACTOR,
        submitted: { remittanceId, chunks: r.chunkCount },
        decision: { status: 'POSTED', postedCount: r.postedCount, postedAmount: fenToYuan(r.postedFen), skippedCount: r.skippedCount, skippedAmount: fenToYuan(r.skippedFen) },
        owner: unitOwner(r),
        at,
        dedupeKey: 'POSTED',
      });
      return { items: [store.remittancePostedItem(remittanceId, r.chunkCount, at), archived], body: true };
    },
  });
  return out.body;
}

/** Age after which a POSTING remittance is re-driven by the sweeper. */
const SWEEP_AFTER_MS = 2 * 60_000;
const SWEEP_PAGE = 100;

/** Scheduled: re-drives remittances whose posting stalled (a lost send, messages in the DLQ). */
export async function sweepRemittances(log: Logger, now = nowMs()): Promise<{ redriven: number }> {
  const before = isoAfter(now, -SWEEP_AFTER_MS);
  let redriven = 0;
  let cursor: string | undefined;
  do {
    const page = await store.postingRemittancesSettledBefore(before, SWEEP_PAGE, cursor);
    for (const remittanceId of page.items) {
      await driveRemittance(remittanceId);
      redriven++;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (redriven) log.info('remittances re-driven', { redriven });
  return { redriven };
}
