// The electronic audit (电子稽查): a run fans out over the ledger's account segments through the
// `audit-segments` queue (one message = one page of one segment), so it scales with accounts, not
// with one Lambda's time. Each page reconciles its accounts and applies the per-account rules;
// the last segment finalises the run with the fund-wide rules.
import { commit } from '../../shared/tx.ts';
import { send } from '../../shared/sqs.ts';
import { newId } from '../../shared/ids.ts';
import { businessDate, nowIso } from '../../shared/clock.ts';
import { policyOn } from '../../shared/policy.ts';
import { allEntries, controlTotals, knownBranches, listAccountsOfSegment, SEGMENTS } from '../../shared/ledger/ledger.ts';
import { emitMetric } from '../../shared/metrics.ts';
import type { Logger } from '../../shared/log.ts';
import * as store from './store.ts';
import { baseAndRatio, frozenDebits, reconcileAccount, reconcileTotals, type FindingCandidate } from './domain/rules.ts';
import { borrowerFindings, fundWideFindings } from './facts.ts';

export const PAGE_SIZE = 100;

export interface SegmentMessage {
  runId: string;
  segment: number;
  cursor?: string;
}

export async function startAuditRun(trigger: string, idempotency?: Parameters<typeof commit>[0]['idempotency']) {
  const runId = newId('AR');
  const outcome = await commit({
    idempotency,
    plan: async () => ({
      items: [store.createRunItem({ runId, status: 'RUNNING', segmentsTotal: SEGMENTS, segmentsDone: 0, accounts: 0, findings: 0, balanceSumFen: 0, startedAt: nowIso(), trigger })],
      body: { runId },
    }),
  });
  // The segments are sent after the commit. A crash in between is mended by the client's retry
  // (the replay re-sends the fan-out of a run still RUNNING): pages and segments count once.
  const run = outcome.replayed ? await store.getRun(outcome.body.runId) : undefined;
  if (!outcome.replayed || run?.status === 'RUNNING') {
    await send('audit-segments', ...Array.from({ length: SEGMENTS }, (_x, segment) => ({ body: { runId: outcome.body.runId, segment } satisfies SegmentMessage })));
  }
  return outcome;
}

async function accountFindings(page: Awaited<ReturnType<typeof listAccountsOfSegment>>['items']) {
  const p = policyOn(businessDate());
  const rulePolicy = {
    baseCapFen: p.base.capFen,
    minRatePercent: p.contribution.minRatePercent,
    maxRatePercent: p.contribution.maxRatePercent,
    flexibleMinRatePercent: p.contribution.flexibleMinRatePercent,
    flexibleMaxRatePercent: p.contribution.flexibleMaxRatePercent,
  };
  const found: FindingCandidate[] = [];
  for (const account of page) {
    const entries = await allEntries(account.accountNo);
    const facts = { ...account, entries };
    found.push(...reconcileAccount(facts), ...baseAndRatio(facts, rulePolicy), ...frozenDebits(facts), ...(await borrowerFindings(account, businessDate())));
  }
  return found;
}

export async function auditSegmentPage(msg: SegmentMessage, log: Logger) {
  const run = await store.getRun(msg.runId);
  if (!run || run.status !== 'RUNNING') return; // unknown or finished run: nothing to do
  // a redelivered page that was counted: its successor was sent before it was counted, nothing left
  if (await store.pageCounted(msg.runId, msg.segment, msg.cursor)) return;
  // The page's boundary is fixed before its successor is sent: a delivery after a crash (and after
  // the segment grew) reads the same key range and sends the same successor.
  const first = await listAccountsOfSegment(msg.segment, PAGE_SIZE, msg.cursor);
  const bound = await store.fixPageBound(msg.runId, msg.segment, msg.cursor, first.nextCursor ? { throughAccountNo: first.items.at(-1)!.accountNo, nextCursor: first.nextCursor } : {});
  const page = { items: await pageThrough(msg.segment, msg.cursor, bound.throughAccountNo, first), nextCursor: bound.nextCursor ?? null };
  const found = await accountFindings(page.items);
  const at = nowIso();
  for (const f of found) await store.upsertFinding(f, msg.runId, at);
  const mismatches = found.filter((f) => f.rule === 'RECONCILIATION_ACCOUNT').length;
  if (mismatches) emitMetric('ReconciliationMismatch', mismatches);
  // the next page is sent before this one is counted: a crash in between repeats this page (counted once)
  if (page.nextCursor) await send('audit-segments', { body: { runId: msg.runId, segment: msg.segment, cursor: page.nextCursor } satisfies SegmentMessage });
  const counts = { accounts: page.items.length, findings: found.length, balanceSumFen: page.items.reduce((s, a) => s + a.balanceFen, 0), segmentDone: !page.nextCursor };
  await commit({
    plan: async () => {
      // a duplicate of this page counted meanwhile: nothing to write; a segment ends once, even if
      // it grew between two deliveries of its last page
      if (await store.pageCounted(msg.runId, msg.segment, msg.cursor)) return { items: [], body: null };
      const segmentDone = counts.segmentDone && !(await store.segmentCounted(msg.runId, msg.segment));
      return { items: store.pageDoneItems(msg.runId, msg.segment, msg.cursor, { ...counts, segmentDone }), body: null };
    },
  });
  if (counts.segmentDone) await finaliseIfDone(msg.runId, log);
}

/** The accounts from `cursor` through the bound (all pages of the query), or the first read when it is the same. */
async function pageThrough(segment: number, cursor: string | undefined, throughAccountNo: string | undefined, first: Awaited<ReturnType<typeof listAccountsOfSegment>>) {
  if (throughAccountNo === undefined ? !first.nextCursor : first.items.at(-1)?.accountNo === throughAccountNo) return first.items;
  const items = [];
  let c = cursor;
  do {
    const p = await listAccountsOfSegment(segment, PAGE_SIZE, c, throughAccountNo);
    items.push(...p.items);
    c = p.nextCursor ?? undefined;
  } while (c);
  return items;
}

async function finaliseIfDone(runId: string, log: Logger) {
  const run = await store.getRun(runId);
  if (!run || run.status !== 'RUNNING' || run.segmentsDone < run.segmentsTotal) return;
  const branches = await knownBranches();
  const totals = await controlTotals(branches);
  const at = nowIso();
  const found = [...reconcileTotals('CITY', run.balanceSumFen, totals.balanceFen), ...(await fundWideFindings(businessDate()))];
  for (const f of found) await store.upsertFinding(f, runId, at);
  if (found.some((f) => f.rule === 'RECONCILIATION_TOTALS')) emitMetric('ReconciliationMismatch', 1);
  if (await store.completeRun(runId, at, found.length)) log.info('audit run completed', { runId, accounts: run.accounts });
}
