// The supervision table: audit runs, findings, indicator snapshots. The only code that knows its keys.
//   RUN#<runId> / RUN                    { status, date, segmentsTotal, segmentsDone, partsTotal, partsDone, accounts,
//                                          findings, balanceSumFen, branchSums: { <branch>: fen },
//                                          startTotals: { <branch>: { balanceFen, entries } },
//                                          finalisingSince (claimed by the one page that finalises), … }
//   RUN#<runId> / PAGE#<scope>#<cursorHash> marker: a page counted once
//   RUN#<runId> / SEGDONE#<seg>          marker: a segment finished once
//   RUN#<runId> / PARTDONE#<part>        marker: a fund-wide rule's part finished once
//   RUN#<runId> / BOUND#<scope>#<cursorHash> a page's boundary, fixed before its successor is sent
//   <scope>: an account segment <seg> (00-63), or a fund-wide rule's part <part> = <kind>#<shard or year>
//   FINDING#<rule>#<subject> / FINDING   gsi1: FINDINGS#<status> / <foundAt>#<findingId>
//   SNAP#<branch> / <date>               daily indicator snapshot
//   RATING#<subjectType>#<subjectId> / RATING   one satisfaction rating per transaction
//   SAT#<period> / <branch>#S#<shard>    satisfaction counters { ratings, scoreSum }, sharded, written with the rating
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { ddb, getItem, indexKeys, isConditionFailure, queryAll, queryPage, stripKeys, TABLE_KEYS, transition, updateIf, type Page, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { isoAfter } from '../../shared/clock.ts';
import type { BranchTotals, FindingCandidate } from './domain/rules.ts';
import type { FindingRecord, RunRecord } from './domain/views.ts';

const T = () => tableName('supervision');
/** A finding as handed out: `lastResolutionList` is the store's own (resolveFindingItem). */
const FINDING_INTERNAL = ['lastResolutionList'];

export interface AuditRun extends Omit<RunRecord, 'date'> {
  /** The business date audited (runs written before it existed: the day they started). */
  date?: string;
  balanceSumFen: number;
  /** Σ balances of the accounts scanned, per branch (the accounts' branch when read). */
  branchSums?: Record<string, number>;
  /** The control totals per branch read before the scan began. */
  startTotals?: Record<string, BranchTotals>;
  trigger: string;
}

/** A part of a fund-wide rule: a claim shard, a unit shard, the rent withdrawals of a submission year. */
export interface AuditPart {
  kind: 'CLAIMS' | 'UNITS' | 'RENTS';
  /** The shard, or the year. */
  n: number;
}

/** What a page belongs to: an account segment (0 … SEGMENTS−1) or a part of a fund-wide rule. */
export type AuditScope = number | AuditPart;

const scopeKey = (scope: AuditScope) => (typeof scope === 'number' ? String(scope).padStart(2, '0') : `${scope.kind}#${scope.n}`);

export const createRunItem = (run: AuditRun): TxItem => ({ Put: { TableName: T(), Item: { pk: `RUN#${run.runId}`, sk: 'RUN', ...run }, ConditionExpression: 'attribute_not_exists(pk)' } });

export const getRun = (runId: string) => getItem<AuditRun>(T(), { pk: `RUN#${runId}`, sk: 'RUN' });

/** A page of a segment or of a part counted once: the marker and the run's counters in one transaction. */
const pageKey = (runId: string, scope: AuditScope, cursor: string | undefined) => ({
  pk: `RUN#${runId}`,
  sk: `PAGE#${scopeKey(scope)}#${createHash('sha256').update(cursor ?? '').digest('hex').slice(0, 16)}`,
});

const exists = async (key: { pk: string; sk: string }) => !!(await ddb.send(new GetCommand({ TableName: T(), Key: key, ConsistentRead: true }))).Item;

export const pageCounted = (runId: string, scope: AuditScope, cursor: string | undefined): Promise<boolean> => exists(pageKey(runId, scope, cursor));

export interface PageBound {
  /** The page's last account (a segment's page; undefined: the page runs to the segment's end). */
  throughAccountNo?: string;
  /** The successor's cursor (undefined: the last page); a part's page ends at the item it names. */
  nextCursor?: string;
}

const boundKey = (runId: string, scope: AuditScope, cursor: string | undefined) => ({ ...pageKey(runId, scope, cursor), sk: pageKey(runId, scope, cursor).sk.replace('PAGE#', 'BOUND#') });

/** Fixes a page's boundary once; returns the one that stands (an earlier delivery's, if any). */
export async function fixPageBound(runId: string, scope: AuditScope, cursor: string | undefined, bound: PageBound): Promise<PageBound> {
  try {
    await ddb.send(new PutCommand({ TableName: T(), Item: { ...boundKey(runId, scope, cursor), ...bound }, ConditionExpression: 'attribute_not_exists(pk)' }));
    return bound;
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    const out = await ddb.send(new GetCommand({ TableName: T(), Key: boundKey(runId, scope, cursor), ConsistentRead: true }));
    return { throughAccountNo: out.Item?.throughAccountNo, nextCursor: out.Item?.nextCursor };
  }
}

const segmentDoneKey = (runId: string, segment: number) => ({ pk: `RUN#${runId}`, sk: `SEGDONE#${String(segment).padStart(2, '0')}` });
const partDoneKey = (runId: string, part: AuditPart) => ({ pk: `RUN#${runId}`, sk: `PARTDONE#${scopeKey(part)}` });

export const segmentCounted = (runId: string, segment: number): Promise<boolean> => exists(segmentDoneKey(runId, segment));

export const partCounted = (runId: string, part: AuditPart): Promise<boolean> => exists(partDoneKey(runId, part));

/** A part's page marker and the run's findings; `partDone` also claims the part's end marker (once). */
export function partPageDoneItems(runId: string, part: AuditPart, cursor: string | undefined, counts: { findings: number; partDone: boolean }): TxItem[] {
  return [
    ...(counts.partDone ? [{ Put: { TableName: T(), Item: partDoneKey(runId, part), ConditionExpression: 'attribute_not_exists(pk)' } }] : []),
    { Put: { TableName: T(), Item: pageKey(runId, part, cursor), ConditionExpression: 'attribute_not_exists(pk)' } },
    { Update: { TableName: T(), Key: { pk: `RUN#${runId}`, sk: 'RUN' }, UpdateExpression: 'ADD findings :f, partsDone :d', ExpressionAttributeValues: { ':f': counts.findings, ':d': counts.partDone ? 1 : 0 } } },
  ];
}

/** Every segment and every part of the run done (a run written before parts existed has none to wait for). */
const ALL_DONE = 'segmentsDone >= segmentsTotal AND (attribute_not_exists(partsTotal) OR partsDone >= partsTotal)';

/** The page marker and the run's counters; `segmentDone` also claims the segment's end marker (once). */
export function pageDoneItems(runId: string, segment: number, cursor: string | undefined, counts: { accounts: number; findings: number; balanceSumFen: number; branchSums: Record<string, number>; segmentDone: boolean }): TxItem[] {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':a': counts.accounts, ':f': counts.findings, ':b': counts.balanceSumFen, ':d': counts.segmentDone ? 1 : 0 };
  if (Object.keys(counts.branchSums).length) values[':zero'] = 0; // DynamoDB refuses an unused value
  const sets = Object.entries(counts.branchSums).map(([branch, fen], i) => {
    names[`#b${i}`] = branch;
    values[`:s${i}`] = fen;
    return `branchSums.#b${i} = if_not_exists(branchSums.#b${i}, :zero) + :s${i}`;
  });
  return [
    ...(counts.segmentDone ? [{ Put: { TableName: T(), Item: segmentDoneKey(runId, segment), ConditionExpression: 'attribute_not_exists(pk)' } }] : []),
    { Put: { TableName: T(), Item: pageKey(runId, segment, cursor), ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Update: {
        TableName: T(),
        Key: { pk: `RUN#${runId}`, sk: 'RUN' },
        UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD accounts :a, findings :f, balanceSumFen :b, segmentsDone :d`,
        ...(sets.length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      },
    },
  ];
}

/** How long a finalisation claim holds (longer than a finalisation takes: a queue worker's timeout is 60 s). */
export const FINALISATION_LEASE_MS = 10 * 60_000;

/** Gives a failed finalisation's claim back (only the claim taken at `at`), for the message's redelivery. */
export async function releaseFinalisation(runId: string, at: string): Promise<void> {
  await updateIf({
    TableName: T(),
    Key: { pk: `RUN#${runId}`, sk: 'RUN' },
    UpdateExpression: 'REMOVE finalisingSince',
    ConditionExpression: '#s = :running AND finalisingSince = :at',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':running': 'RUNNING', ':at': at },
  });
}

/**
 * The finalisation of a run whose segments and parts are all done, claimed once: the last pages may
 * finish together, and only one of them re-checks the totals and completes the run.
 */
export const claimFinalisation = (runId: string, at: string): Promise<boolean> =>
  updateIf({
    TableName: T(),
    Key: { pk: `RUN#${runId}`, sk: 'RUN' },
    UpdateExpression: 'SET finalisingSince = :at',
    // a claim older than FINALISATION_LEASE_MS is a finaliser that died: taken over
    ConditionExpression: `#s = :running AND ${ALL_DONE} AND (attribute_not_exists(finalisingSince) OR finalisingSince < :stale)`,
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':running': 'RUNNING', ':at': at, ':stale': isoAfter(at, -FINALISATION_LEASE_MS) },
  });

/** RUNNING → COMPLETED once, by whoever sees the last segment and part done. Returns true for that caller. */
export const completeRun = (runId: string, at: string, findingsAdded: number, reconciliation: NonNullable<RunRecord['reconciliation']>): Promise<boolean> =>
  updateIf({
    TableName: T(),
    Key: { pk: `RUN#${runId}`, sk: 'RUN' },
    UpdateExpression: 'SET #s = :done, completedAt = :at, reconciliation = :rec ADD findings :f',
    ConditionExpression: `#s = :running AND ${ALL_DONE}`,
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':done': 'COMPLETED', ':running': 'RUNNING', ':at': at, ':f': findingsAdded, ':rec': reconciliation },
  });

export const findingIdOf = (rule: string, subject: string) => `F${createHash('sha256').update(`${rule}\u0000${subject}`).digest('hex').slice(0, 20).toUpperCase()}`;

const findingKey = (findingId: string) => ({ pk: `FINDING#${findingId}`, sk: 'FINDING' });

/**
 * Records a finding keyed by (rule, subject): found again, it is the same finding (evidence
 * refreshed). Found again after it was resolved (the fact observed at `observedAt`, after the
 * resolution), it reopens: `OPEN` with `reopenedAt`, back in the open list, its resolution kept
 * among `resolutions`. Never a second finding.
 */
export async function upsertFinding(c: FindingCandidate, runId: string, observedAt: string): Promise<'NEW_OR_SEEN' | 'REOPENED' | 'RESOLVED_SINCE'> {
  const findingId = findingIdOf(c.rule, c.subject);
  const common = { ':id': findingId, ':rule': c.rule, ':sev': c.severity, ':sub': c.subject, ':ev': c.evidence, ':at': observedAt, ':run': runId };
  const refresh = 'findingId = :id, #r = :rule, severity = :sev, subject = :sub, evidence = :ev, lastSeenAt = :at, lastRunId = :run';
  const seenOrNew = await updateIf({
    TableName: T(),
    Key: findingKey(findingId),
    UpdateExpression: `SET ${refresh}, foundAt = if_not_exists(foundAt, :at), #s = if_not_exists(#s, :open), gsi1pk = if_not_exists(gsi1pk, :idx), gsi1sk = if_not_exists(gsi1sk, :sortk)`,
    ConditionExpression: 'attribute_not_exists(pk) OR #s = :open',
    ExpressionAttributeNames: { '#r': 'rule', '#s': 'status' },
    ExpressionAttributeValues: { ...common, ':open': 'OPEN', ':idx': 'FINDINGS#OPEN', ':sortk': `${observedAt}#${findingId}` },
  });
  if (seenOrNew) return 'NEW_OR_SEEN';
  const reopened = await updateIf({
    TableName: T(),
    Key: findingKey(findingId),
    // the resolution moves into the history: `lastResolutionList` is `[resolution]` (resolveFindingItem)
    UpdateExpression: `SET ${refresh}, #s = :open, reopenedAt = :at, gsi1pk = :idx, gsi1sk = :sortk, resolutions = list_append(if_not_exists(resolutions, :none), if_not_exists(lastResolutionList, :none)) REMOVE resolution, lastResolutionList`,
    // found after the resolution: a fact read before the auditor resolved it does not reopen it
    ConditionExpression: '#s = :resolved AND resolution.#at < :at',
    ExpressionAttributeNames: { '#r': 'rule', '#s': 'status', '#at': 'at' },
    ExpressionAttributeValues: { ...common, ':open': 'OPEN', ':resolved': 'RESOLVED', ':idx': 'FINDINGS#OPEN', ':sortk': `${observedAt}#${findingId}`, ':none': [] },
  });
  return reopened ? 'REOPENED' : 'RESOLVED_SINCE';
}

/** A finding another domain's check records (through public.ts `findingItems`): the audit's candidate, when it was observed, the run. */
export interface ObservedFinding extends FindingCandidate {
  observedAt: string;
  runId: string;
}

/**
 * `upsertFinding` as transaction items, for a check that records its finding in its own commit:
 * planned from the finding as read (`seen`, undefined when none), each conditional on it as read (a
 * concurrent change fails the commit, which re-plans). New: OPEN; OPEN: evidence refreshed; resolved
 * before `observedAt`: reopened, its resolution into the history; resolved since: nothing.
 */
export function findingUpsertItems(f: ObservedFinding, seen: Pick<FindingRecord, 'status' | 'resolution'> | undefined): TxItem[] {
  const findingId = findingIdOf(f.rule, f.subject);
  const Key = findingKey(findingId);
  const common = { ':id': findingId, ':rule': f.rule, ':sev': f.severity, ':sub': f.subject, ':ev': f.evidence, ':at': f.observedAt, ':run': f.runId, ':open': 'OPEN', ':idx': 'FINDINGS#OPEN', ':sortk': `${f.observedAt}#${findingId}` };
  const refresh = 'findingId = :id, #r = :rule, severity = :sev, subject = :sub, evidence = :ev, lastSeenAt = :at, lastRunId = :run';
  if (!seen) {
    return [{ Update: { TableName: T(), Key, UpdateExpression: `SET ${refresh}, foundAt = :at, #s = :open, gsi1pk = :idx, gsi1sk = :sortk`, ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeNames: { '#r': 'rule', '#s': 'status' }, ExpressionAttributeValues: common } }];
  }
  if (seen.status === 'OPEN') {
    const { ':idx': _i, ':sortk': _k, ...values } = common;
    return [{ Update: { TableName: T(), Key, UpdateExpression: `SET ${refresh}`, ConditionExpression: '#s = :open', ExpressionAttributeNames: { '#r': 'rule', '#s': 'status' }, ExpressionAttributeValues: values } }];
  }
  // resolved: found after the resolution it reopens (the resolution into the history); a fact read before it does not
  const resolvedAt = seen.resolution?.at;
  if (!resolvedAt || resolvedAt >= f.observedAt) return [];
  return [
    {
      Update: {
        TableName: T(),
        Key,
        UpdateExpression: `SET ${refresh}, #s = :open, reopenedAt = :at, gsi1pk = :idx, gsi1sk = :sortk, resolutions = list_append(if_not_exists(resolutions, :none), if_not_exists(lastResolutionList, :none)) REMOVE resolution, lastResolutionList`,
        ConditionExpression: '#s = :resolved AND resolution.#at = :resAt',
        ExpressionAttributeNames: { '#r': 'rule', '#s': 'status', '#at': 'at' },
        ExpressionAttributeValues: { ...common, ':resolved': 'RESOLVED', ':resAt': resolvedAt, ':none': [] },
      },
    },
  ];
}

export const getFinding = (findingId: string) => getItem<FindingRecord>(T(), findingKey(findingId), FINDING_INTERNAL);

/** OPEN → RESOLVED with the note; the finding leaves the open list for the resolved one. */
export const resolveFindingItem = (f: FindingRecord, resolution: { note: string; by: string; at: string }): TxItem => ({
  Update: transition({ TableName: T(), Key: findingKey(f.findingId), from: 'OPEN', to: 'RESOLVED', set: { resolution, lastResolutionList: [resolution], gsi1pk: 'FINDINGS#RESOLVED' } }),
});

/** Findings by status, newest first; `rule` filters the page (DynamoDB filter: pages may be short). */
export function listFindings(status: 'OPEN' | 'RESOLVED', rule: string | undefined, limit: number, cursor?: string): Promise<Page<FindingRecord>> {
  const partition = `FINDINGS#${status}`;
  return queryPage({
    query: {
      TableName: T(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      FilterExpression: rule ? '#r = :rule' : undefined,
      ExpressionAttributeNames: rule ? { '#r': 'rule' } : undefined,
      ExpressionAttributeValues: rule ? { ':p': partition, ':rule': rule } : { ':p': partition },
      ScanIndexForward: false,
    },
    keys: indexKeys('gsi1'),
    partition: { gsi1pk: partition },
    limit,
    cursor,
    item: (i) => stripKeys<FindingRecord>(i, FINDING_INTERNAL),
  });
}

export async function putSnapshot(branch: string, date: string, snapshot: Record<string, unknown>): Promise<void> {
  await ddb.send(new PutCommand({ TableName: T(), Item: { pk: `SNAP#${branch}`, sk: date, ...snapshot } }));
}

export function listSnapshots(branch: string, from: string, to: string, limit: number, cursor?: string): Promise<Page<Record<string, unknown>>> {
  const partition = `SNAP#${branch}`;
  return queryPage({
    query: { TableName: T(), KeyConditionExpression: 'pk = :p AND sk BETWEEN :f AND :t', ExpressionAttributeValues: { ':p': partition, ':f': from, ':t': to } },
    keys: TABLE_KEYS,
    partition: { pk: partition },
    // a start key outside the range the query reads (a cursor of another range) DynamoDB fails with a 500
    belongs: (key) => (key.sk as string) >= from && (key.sk as string) <= to,
    limit,
    cursor,
  });
}

// ---------- satisfaction ratings ----------

export interface Rating {
  subjectType: string;
  subjectId: string;
  accountNo: string;
  branch: string;
  score: number;
  comment?: string;
  period: string;
  ratedAt: string;
  by: string;
}

const ratingKey = (subjectType: string, subjectId: string) => ({ pk: `RATING#${subjectType}#${subjectId}`, sk: 'RATING' });
const SATISFACTION_SHARDS = 8;

export const getRating = (subjectType: string, subjectId: string) => getItem<Rating>(T(), ratingKey(subjectType, subjectId));

/** The rating (one per transaction: a second put fails its condition) and the period's counters of its branch, for one transaction. */
export function ratingItems(r: Rating): TxItem[] {
  const shard = String(Math.floor(Math.random() * SATISFACTION_SHARDS)).padStart(2, '0');
  return [
    { Put: { TableName: T(), Item: { ...ratingKey(r.subjectType, r.subjectId), ...r }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Update: { TableName: T(), Key: { pk: `SAT#${r.period}`, sk: `${r.branch}#S#${shard}` }, UpdateExpression: 'ADD ratings :one, scoreSum :s', ExpressionAttributeValues: { ':one': 1, ':s': r.score } } },
  ];
}

/** The period's ratings (count, Σ scores) of one branch, or of the city. O(branches × shards). */
export async function satisfactionCounters(period: string, branch?: string): Promise<{ count: number; scoreSum: number }> {
  const items = await queryAll({
    TableName: T(),
    KeyConditionExpression: branch ? 'pk = :p AND begins_with(sk, :b)' : 'pk = :p',
    ExpressionAttributeValues: branch ? { ':p': `SAT#${period}`, ':b': `${branch}#S#` } : { ':p': `SAT#${period}` },
    ConsistentRead: true,
  });
  return items.reduce<{ count: number; scoreSum: number }>((t, i) => ({ count: t.count + Number(i.ratings ?? 0), scoreSum: t.scoreSum + Number(i.scoreSum ?? 0) }), { count: 0, scoreSum: 0 });
}
