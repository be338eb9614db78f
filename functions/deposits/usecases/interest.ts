// Annual interest settlement (结息): one run per interest year, fanned out over the ledger's segments
// through the `interest-settlement` queue, one page of accounts per message. Each account's interest
// is credited once (the ledger's `INTEREST-<year>` guard, and the year's 积数 is consumed by the same
// write); an account with nothing due (already settled, opened later, zero balance, closed) is
// skipped, so a redelivered page or a restarted run never credits twice. The run's counts are added in
// the same transactions as the postings; segments are a set, so the run completes exactly once.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { fail } from '../../../shared/errors.ts';
import { businessDate, nowIso, nowMs } from '../../../shared/clock.ts';
import { policyOn } from '../../../shared/policy.ts';
import { send } from '../../../shared/sqs.ts';
import { sleep } from '../../../shared/tx.ts';
import type { Logger } from '../../../shared/log.ts';
import { getAccounts, interestYearEnd, ledgerWrite, listAccountsOfSegment, SEGMENTS, withInterestSettled, type Account } from '../../../shared/ledger/ledger.ts';
import * as store from '../store.ts';
import { assertSettleableYear, interestRunId, lastSettledYearOn, paceDelayMs, yearOfRunId } from '../domain/rules.ts';
import { runView } from '../domain/views.ts';
import type { InterestRun } from '../domain/types.ts';
import type { InterestPageMessage } from '../queue.ts';


const PAGE_SIZE = 100;
/**
 * At most this many accounts per transaction (3 items each: the account, its INTEREST entry, the year's
 * guard). Small, so that a member's request waits behind a short transaction, not a 90-item one: at
 * 30,000 accounts (city bench, 2026-12-02, load 2-3) the withdrawals' p99 during the run was 7.7x its
 * p99 before with 10 a transaction and 10.0x with 30, at the same pace (about 400 accounts/s) and the
 * same store CPU per account.
 */
export const ACCOUNTS_PER_TRANSACTION = 10;
/**
 * The pace of one worker, accounts a second. The run shares the store with the members, who keep
 * withdrawing (no freeze): at the queue's 2 workers (infra/topology.ts maxConcurrency) 600 accounts a
 * second settle 300,000 accounts in 500 s, inside the 10 minutes, and leave the store idle between
 * the run's transactions for the members' requests.
 */
export const WORKER_ACCOUNTS_PER_SECOND = 300;
/** DynamoDB's limit on the items of one transaction (shared/ddb.ts MAX_TX_ITEMS: commit refuses more). */
const MAX_TX_ITEMS = 100;
/** The queue's maxReceiveCount (infra/topology.ts): the last delivery of a failing page fails the run. */
const LAST_DELIVERY = 5;

/** Interest due on the account for `year` (0 when none is left to settle). Pure. */
export function interestDueFor(account: Account, year: number): number {
  if (account.status === 'CLOSED') return 0;
  const date = interestYearEnd(year);
  const p = policyOn(date).interest;
  return withInterestSettled(account, date, { annualRate: p.annualRate, dayBasis: p.dayBasis }, `INTEREST-${year}`, year).interestFen;
}

/** Starts the run of a year, or continues it (same runId); a FAILED run restarts. → { runId } */
export async function startInterestRun(year: number, idempotency?: IdempotencyContext, today = businessDate()) {
  assertSettleableYear(year, today, policyOn(today));
  const runId = interestRunId(year);
  const out = await commit({
    idempotency,
    plan: async () => {
      const run = await store.getRun(runId);
      const items = !run
        ? [store.newRunItem({ runId, year, status: 'RUNNING', doneSegments: [], accounts: 0, totalInterestFen: 0, startedAt: nowIso() })]
        : run.status === 'FAILED'
          ? [store.restartRunItem(runId)]
          : [];
      return { items, body: { runId } };
    },
  });
  await driveRun(runId);
  return out;
}

/** Enqueues the first page of every segment not yet done (pages are idempotent). */
async function driveRun(runId: string) {
  const run = await store.getRun(runId);
  if (!run || run.status !== 'RUNNING') return;
  const done = new Set(run.doneSegments);
  const messages: InterestPageMessage[] = [];
  for (let segment = 0; segment < SEGMENTS; segment++) if (!done.has(segment)) messages.push({ runId, year: run.year, segment });
  await send('interest-settlement', ...messages.map((body) => ({ body })));
}

/**
 * Scheduled on June 30: the business date comes from the event (architecture.md), and the year
 * settled is the interest year that ended on or before it (the June 30 run → the year ending that day;
 * a late or repeated run → the same year, which is then the same run).
 */
export function scheduledInterestRun(date: string) {
  return startInterestRun(lastSettledYearOn(date, policyOn(date)), undefined, date);
}

export async function getRunView(runId: string) {
  const run = yearOfRunId(runId) !== undefined ? await store.getRun(runId) : undefined;
  if (!run) return fail('NOT_FOUND', `Interest run ${runId} not found / 结息批次不存在`);
  return runView(run);
}

/** The worker: settles one page of one segment, then enqueues the next page or closes the segment. */
export async function settleInterestPage(msg: InterestPageMessage, receiveCount: number, log: Logger): Promise<void> {
  const run = await store.getRun(msg.runId);
  if (!run || run.status !== 'RUNNING') return;
  try {
    const page = await listAccountsOfSegment(msg.segment, PAGE_SIZE, msg.cursor);
    const due = page.items.filter((a) => interestDueFor(a, msg.year) > 0);
    const startedMs = nowMs();
    let settled = 0;
    for (const group of transactionGroups(due)) {
      await settleGroup(run, group);
      settled += group.length;
      await sleep(paceDelayMs(settled, nowMs() - startedMs, WORKER_ACCOUNTS_PER_SECOND));
    }
    if (page.nextCursor) {
      await send('interest-settlement', { body: { ...msg, cursor: page.nextCursor } satisfies InterestPageMessage });
      return;
    }
    await store.markSegmentDone(msg.runId, msg.segment);
    if (await store.completeRun(msg.runId, SEGMENTS, nowIso())) log.info('interest run completed', { runId: msg.runId });
  } catch (err) {
    if (receiveCount >= LAST_DELIVERY && (await store.failRun(msg.runId))) log.error('interest run failed', { runId: msg.runId, segment: msg.segment, error: err });
    throw err;
  }
}

/**
 * A page's accounts in groups of one transaction each. Each branch in a transaction adds 2 items (its
 * control-total and period-flow shards), so the accounts go by branch: a group holds at most
 * ACCOUNTS_PER_TRANSACTION accounts and 3 items per account + 2 per branch + the run's counts ≤ 100.
 * (Grouped in page order, 15 accounts of a city's many branches wrote about 4 items per account and
 * touched every branch's shards in every transaction: the period-flow partition was the run's hot key.)
 */
export function transactionGroups(accounts: readonly Account[], perTransaction = ACCOUNTS_PER_TRANSACTION): Account[][] {
  const sorted = [...accounts].sort((a, b) => (a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0));
  const groups: Account[][] = [];
  let group: Account[] = [];
  let branches = new Set<string>();
  for (const a of sorted) {
    const branchCount = branches.size + (branches.has(a.branch) ? 0 : 1);
    if (group.length && (group.length + 1 > perTransaction || 3 * (group.length + 1) + 2 * branchCount + 1 > MAX_TX_ITEMS)) {
      groups.push(group);
      group = [];
      branches = new Set();
    }
    group.push(a);
    branches.add(a.branch);
  }
  if (group.length) groups.push(group);
  return groups;
}

/**
 * Settles a group of accounts due for the year. The first attempt writes them as the page read them
 * (each write is conditioned on the revision read, so a stale index read only fails and retries); a
 * retry reads them again and keeps those still due.
 */
async function settleGroup(run: InterestRun, read: Account[]) {
  await commit({
    plan: async (attempt) => {
      const accounts = attempt === 0 ? read : [...(await getAccounts(read.map((a) => a.accountNo))).values()].filter((a) => interestDueFor(a, run.year) > 0);
      const writes = accounts.map((account) => ({ account, settleInterestYear: run.year }));
      if (writes.length === 0) return { items: [], body: null };
      const w = ledgerWrite(writes);
      const interestFen = w.entries.reduce((s, e) => s + e.amountFen, 0);
      return { items: [...w.items, store.runProgressItem(run.runId, writes.length, interestFen)], body: null };
    },
  });
}
