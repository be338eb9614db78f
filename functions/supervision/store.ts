// The supervision table: audit runs, findings, indicator snapshots. The only code that knows its keys.
//   RUN#<runId> / RUN                    { status, segmentsTotal, segmentsDone, accounts, findings, balanceSumFen, … }
//   RUN#<runId> / PAGE#<seg>#<cursorHash> marker: a page counted once
//   RUN#<runId> / SEGDONE#<seg>          marker: a segment finished once
//   RUN#<runId> / BOUND#<seg>#<cursorHash> a page's boundary, fixed before its successor is sent
//   FINDING#<rule>#<subject> / FINDING   gsi1: FINDINGS#<status> / <foundAt>#<findingId>
//   SNAP#<branch> / <date>               daily indicator snapshot
import { GetCommand, QueryCommand, UpdateCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { ddb, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { decodeCursor, type Page } from '../../shared/ledger/ledger.ts';
import type { FindingCandidate, Severity } from './domain/rules.ts';

const T = () => tableName('supervision');
const strip = <X>(item: Record<string, unknown> | undefined): X | undefined => {
  if (!item) return undefined;
  const { pk: _a, sk: _b, gsi1pk: _c, gsi1sk: _d, ...rest } = item;
  return rest as X;
};
const cursorOf = (key?: Record<string, unknown>) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null);

export interface AuditRun {
  runId: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  segmentsTotal: number;
  segmentsDone: number;
  accounts: number;
  findings: number;
  balanceSumFen: number;
  startedAt: string;
  completedAt?: string;
  trigger: string;
}

export const createRunItem = (run: AuditRun): TxItem => ({ Put: { TableName: T(), Item: { pk: `RUN#${run.runId}`, sk: 'RUN', ...run }, ConditionExpression: 'attribute_not_exists(pk)' } });

export async function getRun(runId: string): Promise<AuditRun | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: T(), Key: { pk: `RUN#${runId}`, sk: 'RUN' }, ConsistentRead: true }));
  return strip<AuditRun>(out.Item);
}

/** A page of a segment counted once: the marker and the run's counters in one transaction. */
const pageKey = (runId: string, segment: number, cursor: string | undefined) => ({
  pk: `RUN#${runId}`,
  sk: `PAGE#${String(segment).padStart(2, '0')}#${createHash('sha256').update(cursor ?? '').digest('hex').slice(0, 16)}`,
});

export async function pageCounted(runId: string, segment: number, cursor: string | undefined): Promise<boolean> {
  const out = await ddb.send(new GetCommand({ TableName: T(), Key: pageKey(runId, segment, cursor), ConsistentRead: true }));
  return !!out.Item;
}

export interface PageBound {
  /** The page's last account (undefined: the page runs to the segment's end). */
  throughAccountNo?: string;
  nextCursor?: string;
}

const boundKey = (runId: string, segment: number, cursor: string | undefined) => ({ ...pageKey(runId, segment, cursor), sk: pageKey(runId, segment, cursor).sk.replace('PAGE#', 'BOUND#') });

/** Fixes a page's boundary once; returns the one that stands (an earlier delivery's, if any). */
export async function fixPageBound(runId: string, segment: number, cursor: string | undefined, bound: PageBound): Promise<PageBound> {
  try {
    await ddb.send(new PutCommand({ TableName: T(), Item: { ...boundKey(runId, segment, cursor), ...bound }, ConditionExpression: 'attribute_not_exists(pk)' }));
    return bound;
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    const out = await ddb.send(new GetCommand({ TableName: T(), Key: boundKey(runId, segment, cursor), ConsistentRead: true }));
    return { throughAccountNo: out.Item?.throughAccountNo, nextCursor: out.Item?.nextCursor };
  }
}

const segmentDoneKey = (runId: string, segment: number) => ({ pk: `RUN#${runId}`, sk: `SEGDONE#${String(segment).padStart(2, '0')}` });

export async function segmentCounted(runId: string, segment: number): Promise<boolean> {
  const out = await ddb.send(new GetCommand({ TableName: T(), Key: segmentDoneKey(runId, segment), ConsistentRead: true }));
  return !!out.Item;
}

/** The page marker and the run's counters; `segmentDone` also claims the segment's end marker (once). */
export function pageDoneItems(runId: string, segment: number, cursor: string | undefined, counts: { accounts: number; findings: number; balanceSumFen: number; segmentDone: boolean }): TxItem[] {
  return [
    ...(counts.segmentDone ? [{ Put: { TableName: T(), Item: segmentDoneKey(runId, segment), ConditionExpression: 'attribute_not_exists(pk)' } }] : []),
    { Put: { TableName: T(), Item: pageKey(runId, segment, cursor), ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Update: {
        TableName: T(),
        Key: { pk: `RUN#${runId}`, sk: 'RUN' },
        UpdateExpression: 'ADD accounts :a, findings :f, balanceSumFen :b, segmentsDone :d',
        ExpressionAttributeValues: { ':a': counts.accounts, ':f': counts.findings, ':b': counts.balanceSumFen, ':d': counts.segmentDone ? 1 : 0 },
      },
    },
  ];
}

/** RUNNING → COMPLETED once, by whoever sees the last segment done. Returns true for that caller. */
export async function completeRun(runId: string, at: string, findingsAdded: number): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: T(),
        Key: { pk: `RUN#${runId}`, sk: 'RUN' },
        UpdateExpression: 'SET #s = :done, completedAt = :at ADD findings :f',
        ConditionExpression: '#s = :running AND segmentsDone >= segmentsTotal',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':done': 'COMPLETED', ':running': 'RUNNING', ':at': at, ':f': findingsAdded },
      }),
    );
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

export interface Finding {
  findingId: string;
  rule: string;
  severity: Severity;
  subject: string;
  evidence: Record<string, unknown>;
  status: 'OPEN' | 'RESOLVED';
  foundAt: string;
  lastSeenAt: string;
  lastRunId: string;
  resolution?: { note: string; by: string; at: string };
}

export const findingIdOf = (rule: string, subject: string) => `F${createHash('sha256').update(`${rule}\u0000${subject}`).digest('hex').slice(0, 20).toUpperCase()}`;

/** Records a finding keyed by (rule, subject): found again, it is the same finding (evidence refreshed). */
export async function upsertFinding(c: FindingCandidate, runId: string, at: string): Promise<void> {
  const findingId = findingIdOf(c.rule, c.subject);
  await ddb.send(
    new UpdateCommand({
      TableName: T(),
      Key: { pk: `FINDING#${findingId}`, sk: 'FINDING' },
      UpdateExpression:
        'SET findingId = :id, #r = :rule, severity = :sev, subject = :sub, evidence = :ev, lastSeenAt = :at, lastRunId = :run, foundAt = if_not_exists(foundAt, :at), #s = if_not_exists(#s, :open), gsi1pk = if_not_exists(gsi1pk, :idx), gsi1sk = if_not_exists(gsi1sk, :sortk)',
      ExpressionAttributeNames: { '#r': 'rule', '#s': 'status' },
      ExpressionAttributeValues: { ':id': findingId, ':rule': c.rule, ':sev': c.severity, ':sub': c.subject, ':ev': c.evidence, ':at': at, ':run': runId, ':open': 'OPEN', ':idx': 'FINDINGS#OPEN', ':sortk': `${at}#${findingId}` },
    }),
  );
}

export async function getFinding(findingId: string): Promise<Finding | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: T(), Key: { pk: `FINDING#${findingId}`, sk: 'FINDING' }, ConsistentRead: true }));
  return strip<Finding>(out.Item);
}

export const resolveFindingItem = (f: Finding, resolution: { note: string; by: string; at: string }): TxItem => ({
  Update: {
    TableName: T(),
    Key: { pk: `FINDING#${f.findingId}`, sk: 'FINDING' },
    UpdateExpression: 'SET #s = :resolved, resolution = :res, gsi1pk = :idx',
    ConditionExpression: '#s = :open',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':resolved': 'RESOLVED', ':res': resolution, ':idx': 'FINDINGS#RESOLVED', ':open': 'OPEN' },
  },
});

/** Findings by status, newest first; `rule` filters the page (DynamoDB filter: pages may be short). */
export async function listFindings(status: 'OPEN' | 'RESOLVED', rule: string | undefined, limit: number, cursor?: string): Promise<Page<Finding>> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: T(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      FilterExpression: rule ? '#r = :rule' : undefined,
      ExpressionAttributeNames: rule ? { '#r': 'rule' } : undefined,
      ExpressionAttributeValues: rule ? { ':p': `FINDINGS#${status}`, ':rule': rule } : { ':p': `FINDINGS#${status}` },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor),
    }),
  );
  return { items: (out.Items ?? []).map((i) => strip<Finding>(i)!), nextCursor: cursorOf(out.LastEvaluatedKey) };
}

export async function putSnapshot(branch: string, date: string, snapshot: Record<string, unknown>): Promise<void> {
  await ddb.send(new PutCommand({ TableName: T(), Item: { pk: `SNAP#${branch}`, sk: date, ...snapshot } }));
}

export async function listSnapshots(branch: string, from: string, to: string, limit: number, cursor?: string): Promise<Page<Record<string, unknown>>> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: T(),
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :f AND :t',
      ExpressionAttributeValues: { ':p': `SNAP#${branch}`, ':f': from, ':t': to },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor),
    }),
  );
  return { items: (out.Items ?? []).map((i) => strip<Record<string, unknown>>(i)!), nextCursor: cursorOf(out.LastEvaluatedKey) };
}
