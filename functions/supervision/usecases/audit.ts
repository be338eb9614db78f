// The electronic audit (电子稽查): a run fans out through the `audit-segments` queue, one message =
// one page (schemas.ts auditMessage), so it scales with accounts, units and withdrawals, not with one
// Lambda's time or memory:
//  - SEGMENT: a page of one of the ledger's account segments: its accounts reconciled, the
//    per-account rules applied;
//  - the fund-wide rules, each fanned out over parts read page by page through the other domains'
//    public.ts (facts.ts): CLAIMS, one part per claim shard (property reuse: the claims of a property
//    are sharded by its document, so a shard is judged alone); UNITS, one part per unit shard (unit
//    arrears: a page of units and their deferrals); RENTS, one part per submission year of the two
//    the rule looks at (rent with a loan or a purchase: each account judged once, by the page holding
//    its first rent withdrawal of those years, over its own withdrawals).
// Every page is counted once (its marker in the transaction that adds its counts), even when it is
// delivered twice or again after a crash between sending its successor and counting it; its boundary
// is fixed before its successor is sent, so a redelivery continues the same chain; a segment or a
// part ends once. When every segment and every part is done, the run is finalised (once: the last
// pages may finish together): the totals reconciliation, then COMPLETED. A run audits one business
// date (the schedule's, or the day it was started): the rules that need "today" use it.
//
// Tamper evidence: each account's entries are verified against their hash chain (shared/ledger/
// chain.ts) over the same read of its entries the reconciliation makes; an edited, deleted or
// reordered entry is a CRITICAL `LEDGER_CHAIN_BROKEN` finding.
//
// Reconciliation while postings run. An account and its entries are read at two moments: only the
// entries up to the version read count (a later posting is not in the balance read), and a mismatch
// is read again, consistently, before it is raised. Σ balances against the control totals: the
// accounts are read over the whole scan while the totals move with every posting, so the comparison
// is made per branch at a consistent point: the scan's sums stand when the branch's totals did not
// move between the run's start and its end; otherwise (or on a difference) the branch is re-checked
// in a quiet window (its totals equal before and after a consistent read of its accounts, those the
// segment index lists under it) and raised only then. A branch with no quiet window within the
// budget is reported inconclusive, never as a false critical finding.
import { commit, sleep } from '../../../shared/tx.ts';
import { send } from '../../../shared/sqs.ts';
import { newId } from '../../../shared/ids.ts';
import { businessDate, nowIso, nowMs } from '../../../shared/clock.ts';
import { policyOn } from '../../../shared/policy.ts';
import { allEntries, controlTotals, getAccount, getAccounts, knownBranches, listAccountsOfSegment, SEGMENTS, type Account } from '../../../shared/ledger/ledger.ts';
import { emitMetric } from '../../../shared/metrics.ts';
import type { Logger } from '../../../shared/log.ts';
import * as store from '../store.ts';
import { baseAndRatio, frozenDebits, ledgerChain, reconcileAccount, reconcileTotals, sameTotals, totalsToRecheck, type AccountRulePolicy, type BranchReconciliation, type BranchTotals, type FindingCandidate } from '../domain/rules.ts';
import { borrowerFlagsOf } from '../../loans/public.ts';
import type { AuditMessage, AuditPartMessage, AuditSegmentMessage } from '../schemas.ts';
import { borrowerFindings, fundWideParts, withFundWidePart, type FundWidePart } from './facts.ts';

export const PAGE_SIZE = 100;
/** Items of a fund-wide rule's list per page (claim items, units, withdrawals). */
export const PART_PAGE_SIZE = 100;


/** Control totals (Σ balances, entries) of each branch, read consistently. */
async function totalsOf(branches: readonly string[]): Promise<Record<string, BranchTotals>> {
  const out: Record<string, BranchTotals> = {};
  await Promise.all(
    branches.map(async (b) => {
      const t = await controlTotals([b]);
      out[b] = { balanceFen: t.balanceFen, entries: t.entries };
    }),
  );
  return out;
}

/** Starts a run for `date` (default today) and sends its segments and the parts of its fund-wide rules. */
export async function startAuditRun(trigger: string, idempotency?: Parameters<typeof commit>[0]['idempotency'], date: string = businessDate()) {
  const runId = newId('AR');
  // read before the run exists, so before any of its pages reads an account
  const startTotals = await totalsOf(await knownBranches());
  const partsTotal = fundWideParts(runId, date).length;
  const outcome = await commit({
    idempotency,
    plan: async () => ({
      items: [store.createRunItem({ runId, status: 'RUNNING', date, segmentsTotal: SEGMENTS, segmentsDone: 0, partsTotal, partsDone: 0, accounts: 0, findings: 0, balanceSumFen: 0, branchSums: {}, startTotals, startedAt: nowIso(), trigger })],
      body: { runId },
    }),
  });
  // The fan-out is sent after the commit. A crash in between is mended by the client's retry
  // (the replay re-sends the fan-out of a run still RUNNING): pages, segments and parts count once.
  const run = outcome.replayed ? await store.getRun(outcome.body.runId) : undefined;
  if (!outcome.replayed || run?.status === 'RUNNING') {
    const id = outcome.body.runId;
    const segments = Array.from({ length: SEGMENTS }, (_x, segment): AuditMessage => ({ kind: 'SEGMENT', runId: id, segment }));
    // a replayed run's parts are those of its own date (the run item's), as counted in its partsTotal
    const parts = run && run.partsTotal === undefined ? [] : fundWideParts(id, run?.date ?? date);
    await send('audit-segments', ...[...segments, ...parts].map((body) => ({ body })));
  }
  return outcome;
}

const rulePolicyOn = (date: string): AccountRulePolicy => {
  const p = policyOn(date);
  return {
    baseCapFen: p.base.capFen,
    minRatePercent: p.contribution.minRatePercent,
    maxRatePercent: p.contribution.maxRatePercent,
    flexibleMinRatePercent: p.contribution.flexibleMinRatePercent,
    flexibleMaxRatePercent: p.contribution.flexibleMaxRatePercent,
  };
};

/** The account's reconciliation against its entries and the check of their hash chain. */
const booksOf = (facts: Parameters<typeof reconcileAccount>[0] & Parameters<typeof ledgerChain>[0]) => [...reconcileAccount(facts), ...ledgerChain(facts)];

/**
 * An account's reconciliation and chain check, over the one read of its entries: on a difference or
 * a broken chain, the account and its entries are read again (consistently) before it counts.
 */
async function reconciledFacts(account: Account) {
  const facts = { ...account, entries: await allEntries(account.accountNo) };
  const found = booksOf(facts);
  if (!found.length) return { facts, found };
  const again = await getAccount(account.accountNo);
  if (!again) return { facts, found };
  const fresh = { ...again, entries: await allEntries(account.accountNo, true) };
  return { facts: fresh, found: booksOf(fresh) };
}

async function accountFindings(page: readonly Account[], date: string) {
  const rulePolicy = rulePolicyOn(date);
  const found: FindingCandidate[] = [];
  const loanFlags = await borrowerFlagsOf(page.map((a) => a.accountNo));
  for (const account of page) {
    const { facts, found: books } = await reconciledFacts(account);
    found.push(...books, ...baseAndRatio(facts, rulePolicy), ...frozenDebits(facts), ...(await borrowerFindings(facts, loanFlags.get(account.accountNo), date)));
  }
  return found;
}

/** One page of a run: of an account segment or of a fund-wide rule's part. */
export function auditPage(msg: AuditMessage, log: Logger): Promise<void> {
  return msg.kind === 'SEGMENT' ? auditSegmentPage(msg, log) : auditPartPage(msg, log);
}

export async function auditSegmentPage(msg: AuditSegmentMessage, log: Logger) {
  const run = await store.getRun(msg.runId);
  if (!run || run.status !== 'RUNNING') return; // unknown or finished run: nothing to do
  // a redelivered page that was counted: its successor was sent before it was counted, nothing left
  // but the run's finalisation, which may have failed after the last page was counted
  if (await store.pageCounted(msg.runId, msg.segment, msg.cursor)) return finaliseIfDone(msg.runId, log);
  const date = run.date ?? run.startedAt.slice(0, 10);
  // The page's boundary is fixed before its successor is sent: a delivery after a crash (and after
  // the segment grew) reads the same key range and sends the same successor.
  const observedAt = nowIso();
  const first = await listAccountsOfSegment(msg.segment, PAGE_SIZE, msg.cursor);
  const bound = await store.fixPageBound(msg.runId, msg.segment, msg.cursor, first.nextCursor ? { throughAccountNo: first.items.at(-1)!.accountNo, nextCursor: first.nextCursor } : {});
  const page = { items: await pageThrough(msg.segment, msg.cursor, bound.throughAccountNo, first), nextCursor: bound.nextCursor ?? null };
  const found = await accountFindings(page.items, date);
  for (const f of found) await store.upsertFinding(f, msg.runId, observedAt);
  // a broken chain raises the reconciliation alarm too: both say the books cannot be trusted
  const mismatches = found.filter((f) => f.rule === 'RECONCILIATION_ACCOUNT' || f.rule === 'LEDGER_CHAIN_BROKEN').length;
  if (mismatches) emitMetric('ReconciliationMismatch', mismatches);
  // the next page is sent before this one is counted: a crash in between repeats this page (counted once)
  if (page.nextCursor) await send('audit-segments', { body: { kind: 'SEGMENT', runId: msg.runId, segment: msg.segment, cursor: page.nextCursor } satisfies AuditSegmentMessage });
  const branchSums: Record<string, number> = {};
  for (const a of page.items) branchSums[a.branch] = (branchSums[a.branch] ?? 0) + a.balanceFen;
  const counts = { accounts: page.items.length, findings: found.length, balanceSumFen: page.items.reduce((s, a) => s + a.balanceFen, 0), branchSums, segmentDone: !page.nextCursor };
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

/**
 * One page of a part of a fund-wide rule, counted as a segment's page is: once, with its boundary
 * fixed before its successor is sent (a redelivery reads the same range of the list, through the item
 * the first delivery ended at, and sends the same successor), its end counted once.
 */
export async function auditPartPage(msg: AuditPartMessage, log: Logger) {
  const run = await store.getRun(msg.runId);
  if (!run || run.status !== 'RUNNING') return;
  const part: store.AuditPart = { kind: msg.kind, n: msg.kind === 'RENTS' ? msg.year : msg.shard };
  if (await store.pageCounted(msg.runId, part, msg.cursor)) return finaliseIfDone(msg.runId, log);
  const date = run.date ?? run.startedAt.slice(0, 10);
  const observedAt = nowIso();
  const { found, nextCursor } = await withFundWidePart(msg, date, async (rule) => {
    const first = await rule.read({ limit: PART_PAGE_SIZE, cursor: msg.cursor });
    const bound = await store.fixPageBound(msg.runId, part, msg.cursor, first.nextCursor ? { nextCursor: first.nextCursor } : {});
    const items = (bound.nextCursor ?? null) === first.nextCursor ? first.items : await readThrough(rule, msg.cursor, bound.nextCursor);
    return { found: await rule.findings(items), nextCursor: bound.nextCursor };
  });
  for (const f of found) await store.upsertFinding(f, msg.runId, observedAt);
  // the next page is sent before this one is counted: a crash in between repeats this page (counted once)
  if (nextCursor) await send('audit-segments', { body: { ...msg, cursor: nextCursor } satisfies AuditPartMessage });
  await commit({
    plan: async () => {
      if (await store.pageCounted(msg.runId, part, msg.cursor)) return { items: [], body: null };
      const partDone = !nextCursor && !(await store.partCounted(msg.runId, part));
      return { items: store.partPageDoneItems(msg.runId, part, msg.cursor, { findings: found.length, partDone }), body: null };
    },
  });
  if (!nextCursor) await finaliseIfDone(msg.runId, log);
}

/** A part's list from `cursor` through the item `through` names (a page's nextCursor), or to its end: as many reads as it takes. */
async function readThrough<F>(rule: FundWidePart<F>, cursor: string | undefined, through: string | undefined): Promise<F[]> {
  const items: F[] = [];
  let c = cursor;
  do {
    const p = await rule.read({ limit: PART_PAGE_SIZE, cursor: c, through });
    items.push(...p.items);
    c = p.nextCursor ?? undefined;
  } while (c);
  return items;
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

/**
 * Σ balances of the accounts of `branches`, read consistently: the segments are listed (the index
 * carries each account's branch) and only the accounts listed under one of them are read by key,
 * and counted under the branch that read gives. A re-check reads the accounts of the branches it
 * re-checks, not the whole store. (An account the index does not show yet, new or just moved into
 * one of them, is missed as the listing of every account misses a new one.)
 */
async function branchSumsNow(branches: readonly string[]): Promise<Record<string, number>> {
  const wanted = new Set(branches);
  const sums: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: SEGMENTS }, async (_x, segment) => {
      let cursor: string | undefined;
      do {
        const page = await listAccountsOfSegment(segment, 500, cursor);
        const accounts = await getAccounts(page.items.filter((a) => wanted.has(a.branch)).map((a) => a.accountNo));
        for (const a of accounts.values()) if (wanted.has(a.branch)) sums[a.branch] = (sums[a.branch] ?? 0) + a.balanceFen;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }),
  );
  return sums;
}

/** Re-checks the branches in quiet windows: their totals unchanged across a consistent read of the accounts. */
export async function recheckTotals(branches: readonly string[], opts: { attempts?: number; budgetMs?: number } = {}) {
  const attempts = opts.attempts ?? 6;
  const deadline = nowMs() + (opts.budgetMs ?? 20_000);
  const concluded: BranchReconciliation[] = [];
  let pending = [...branches];
  for (let attempt = 0; pending.length && attempt < attempts && nowMs() < deadline; attempt++) {
    if (attempt > 0) await sleep(150 * attempt);
    const before = await totalsOf(pending);
    const sums = await branchSumsNow(pending);
    const after = await totalsOf(pending);
    pending = pending.filter((b) => {
      if (!sameTotals(before[b], after[b])) return true; // postings ran meanwhile: try again
      concluded.push({ branch: b, accountsSumFen: sums[b] ?? 0, controlTotalFen: after[b]?.balanceFen ?? 0 });
      return false;
    });
  }
  return { concluded, inconclusive: pending };
}

async function finaliseIfDone(runId: string, log: Logger) {
  const run = await store.getRun(runId);
  if (!run || run.status !== 'RUNNING' || run.segmentsDone < run.segmentsTotal || (run.partsDone ?? 0) < (run.partsTotal ?? 0)) return;
  const claimedAt = nowIso();
  if (!(await store.claimFinalisation(runId, claimedAt))) return; // another last page finalises it
  try {
    await finalise(runId, run, log);
  } catch (error) {
    // released, so that the message's redelivery finalises the run (a claim held by a failed attempt would leave it RUNNING for ever)
    await store.releaseFinalisation(runId, claimedAt).catch((releaseError: unknown) => log.warn('releasing the finalisation claim failed; it goes stale', { runId, error: releaseError }));
    throw error;
  }
}

async function finalise(runId: string, run: NonNullable<Awaited<ReturnType<typeof store.getRun>>>, log: Logger) {
  const date = run.date ?? run.startedAt.slice(0, 10);
  const observedAt = nowIso();
  const sums = run.branchSums ?? {};
  const atStart = run.startTotals ?? {};
  const branches = [...new Set([...(await knownBranches()), ...Object.keys(sums), ...Object.keys(atStart)])].sort();
  const atEnd = await totalsOf(branches);
  const suspects = totalsToRecheck(branches, sums, atStart, atEnd);
  const settled: BranchReconciliation[] = branches.filter((b) => !suspects.includes(b)).map((b) => ({ branch: b, accountsSumFen: sums[b] ?? 0, controlTotalFen: atEnd[b]?.balanceFen ?? 0 }));
  const rechecked = suspects.length ? await recheckTotals(suspects) : { concluded: [], inconclusive: [] };
  if (rechecked.inconclusive.length) log.warn('totals reconciliation inconclusive: postings ran throughout the re-checks', { runId, branches: rechecked.inconclusive });
  const perBranch = [...settled, ...rechecked.concluded];
  const totalsFound = reconcileTotals('CITY', perBranch);
  const found = totalsFound;
  for (const f of found) await store.upsertFinding(f, runId, observedAt);
  if (totalsFound.length) emitMetric('ReconciliationMismatch', 1);
  const reconciliation = { mismatchedBranches: perBranch.filter((b) => b.accountsSumFen !== b.controlTotalFen).map((b) => b.branch).sort(), inconclusiveBranches: [...rechecked.inconclusive].sort() };
  if (await store.completeRun(runId, nowIso(), found.length, reconciliation)) log.info('audit run completed', { runId, accounts: run.accounts, date });
}
