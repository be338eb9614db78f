// The deposits table (single-table design). The only code that knows its keys and conditions.
//   UNIT#<unitId> / UNIT               the unit (headcount by ADD; lastFundedPeriod by a conditional SET;
//                                      other changes conditioned on version)
//                                      gsi2: UNITS#<shard 00-15> / <unitId>   every unit (audit)
//   UNITCOUNT / <branch>               registered units per branch (缴存单位数), ADD at registration
//   CC#<creditCode> / CC               one registration per credit code
//   UNIT#<unitId> / EMP#<accountNo>    employment with its history: spells (hire … seal) and bases by period
//   UNIT#<unitId> / DEF#<fromPeriod>   approved deferral (缓缴): other domains read the ranges (public.ts)
//   UNIT#<unitId> / PERIOD#<period>    a period is remitted at most once per unit (REGULAR or BACKPAY);
//                                      { remittanceId, kind }: the unit's remittances by period (its list)
//   UNIT#<unitId> / BASEADJ#<year>     the annual base adjustment (APPLYING → COMPLETE)
//   BADJ#<adjustmentId> / C#<nnnn>     a staged chunk of an adjustment, PENDING → APPLIED
//   REM#<remittanceId> / REM           remittance; gsi1 REMITTANCES#POSTING / <settledAt> while posting
//   REM#<remittanceId> / C#<nnnn>      a chunk of the list, PENDING → POSTED
//   IRUN#<runId> / RUN                 an interest settlement run
//   DCERT#<certificateNo> / DCERT      a deposit certificate (缴存证明) as issued; written once (conditional put)
//   FLEXDEP#<accountNo> / BANKREF#<ref> a flexible deposit the bank reported (its reference applies once; conditional put)
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { batchGetItems, ddb, getItem, indexKeys, partitionPage, queryAll, queryPage, stripKeys, TABLE_KEYS, transition, updateIf, type Page, type PageRange, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { sleep } from '../../shared/tx.ts';
import type { DepositCertificate } from './domain/certificate.ts';
import type { BaseAdjustment, BaseAdjustmentChunk, Deferral, Employment, InterestRun, RatePeriod, Remittance, RemittanceChunk, Unit } from './domain/types.ts';

const T = () => tableName('deposits');
const unitKey = (unitId: string) => ({ pk: `UNIT#${unitId}`, sk: 'UNIT' });
const remKey = (remittanceId: string) => ({ pk: `REM#${remittanceId}`, sk: 'REM' });
const chunkKey = (remittanceId: string, chunkNo: number) => ({ pk: `REM#${remittanceId}`, sk: `C#${String(chunkNo).padStart(4, '0')}` });
const runKey = (runId: string) => ({ pk: `IRUN#${runId}`, sk: 'RUN' });
const POSTING_INDEX = 'REMITTANCES#POSTING';
const bankDepositKey = (accountNo: string, bankRef: string) => ({ pk: `FLEXDEP#${accountNo}`, sk: `BANKREF#${bankRef}` });

/** A flexible deposit applied from a bank's report: what it credited. */
export interface BankDepositRecord {
  accountNo: string;
  bankRef: string;
  period: string;
  amount: string;
  entryId: string;
  at: string;
}

export const bankDepositRecord = (accountNo: string, bankRef: string) => get<BankDepositRecord>(bankDepositKey(accountNo, bankRef));

/** Records a bank-reported flexible deposit (its reference applies once to the account). */
export const bankDepositItem = (r: BankDepositRecord): TxItem => ({
  Put: { TableName: T(), Item: { ...bankDepositKey(r.accountNo, r.bankRef), ...r }, ConditionExpression: 'attribute_not_exists(pk)' },
});

const strip = <T>(item: Record<string, unknown>): T => stripKeys<T>(item);
const get = <T>(key: { pk: string; sk: string }) => getItem<T>(T(), key);
const batchGet = <T>(keys: readonly { pk: string; sk: string }[]) => batchGetItems<T>(T(), keys);

/** Every item of a partition under a sort-key prefix (`projection` may name `status` as `#s`). */
async function queryPrefix(pk: string, skPrefix: string, projection?: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    TableName: T(),
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':p': pk, ':s': skPrefix },
    ProjectionExpression: projection,
    ExpressionAttributeNames: projection?.includes('#s') ? { '#s': 'status' } : undefined,
    ConsistentRead: true,
  });
}


// ---------- units ----------

export const getUnit = (unitId: string) => get<Unit>(unitKey(unitId));

export const UNIT_SHARDS = 16;
const unitShard = (unitId: string) => String(createHash('sha256').update(unitId).digest()[0] % UNIT_SHARDS).padStart(2, '0');

export function newUnitItems(unit: Unit): TxItem[] {
  return [
    { Put: { TableName: T(), Item: { ...unitKey(unit.unitId), gsi2pk: `UNITS#${unitShard(unit.unitId)}`, gsi2sk: unit.unitId, ...unit }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Update: { TableName: T(), Key: { pk: 'UNITCOUNT', sk: unit.branch }, UpdateExpression: 'ADD units :one', ExpressionAttributeValues: { ':one': 1 } } },
    { Put: { TableName: T(), Item: { pk: `CC#${unit.creditCode}`, sk: 'CC', unitId: unit.unitId }, ConditionExpression: 'attribute_not_exists(pk)' } },
  ];
}

/** Registered units of a branch, or of the whole city (one small partition: one item per branch). */
export async function unitCounts(branch?: string): Promise<number> {
  const items = await queryAll({
    TableName: T(),
    KeyConditionExpression: branch ? 'pk = :p AND sk = :b' : 'pk = :p',
    ExpressionAttributeValues: branch ? { ':p': 'UNITCOUNT', ':b': branch } : { ':p': 'UNITCOUNT' },
    ConsistentRead: true,
  });
  return items.reduce((n, i) => n + Number(i.units ?? 0), 0);
}

/** Every unit of one audit shard (bounded: ~1/UNIT_SHARDS of the city's units). */
export async function unitsOfShard(shard: number): Promise<Unit[]> {
  const items = await queryAll({ TableName: T(), IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :v', ExpressionAttributeValues: { ':v': unitShardPk(shard) } });
  return items.map((u) => strip<Unit>(u)!);
}

const unitShardPk = (shard: number) => `UNITS#${String(shard).padStart(2, '0')}`;

/** A page of the units of one audit shard, by unit id (the kernel's partitionPage: `range.through` bounds it). */
export const unitsOfShardPage = (shard: number, range: PageRange): Promise<Page<Unit>> => partitionPage({ table: T(), index: 'gsi2', pk: unitShardPk(shard), range, item: (u) => strip<Unit>(u) });

/** The unit's latest funded REGULAR period moves forward only (a late settlement of an older period leaves it). */
export const fundedPeriodItem = (unitId: string, period: string): TxItem => ({
  Update: {
    TableName: T(),
    Key: unitKey(unitId),
    UpdateExpression: 'SET lastFundedPeriod = :p',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastFundedPeriod) OR lastFundedPeriod < :p)',
    ExpressionAttributeValues: { ':p': period },
  },
});

export async function unitIdByCreditCode(creditCode: string): Promise<string | undefined> {
  return (await get<{ unitId: string }>({ pk: `CC#${creditCode}`, sk: 'CC' }))?.unitId;
}

/** Changes of the unit's terms, conditioned on the version read. */
export function unitChangeItem(unit: Unit, changes: { payDay?: number; rateHistory?: RatePeriod[]; lastRemittedPeriod?: string }, at: string): TxItem {
  const sets = ['version = :next', 'updatedAt = :at'];
  const values: Record<string, unknown> = { ':v': unit.version, ':next': unit.version + 1, ':at': at };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    sets.push(`${k} = :${k}`);
    values[`:${k}`] = v;
  }
  return { Update: { TableName: T(), Key: unitKey(unit.unitId), UpdateExpression: `SET ${sets.join(', ')}`, ConditionExpression: 'version = :v', ExpressionAttributeValues: values } };
}

export const headcountItem = (unitId: string, delta: number): TxItem => ({
  Update: { TableName: T(), Key: unitKey(unitId), UpdateExpression: 'ADD headcount :d', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':d': delta } },
});

// ---------- employments, deferrals, base adjustments ----------

const employmentKey = (unitId: string, accountNo: string) => ({ pk: `UNIT#${unitId}`, sk: `EMP#${accountNo}` });

/**
 * The employment record, put whole. Every writer (hire, seal, base adjustment) writes the account in
 * the same transaction conditioned on the revision it read, so a concurrent writer fails and re-plans.
 */
export const employmentItem = (e: Employment): TxItem => ({ Put: { TableName: T(), Item: { ...employmentKey(e.unitId, e.accountNo), ...e } } });

export const getEmployment = (unitId: string, accountNo: string) => get<Employment>(employmentKey(unitId, accountNo));

export async function getEmployments(unitId: string, accountNos: readonly string[]): Promise<Map<string, Employment>> {
  const items = await batchGet<Employment>(accountNos.map((no) => employmentKey(unitId, no)));
  return new Map(items.map((e) => [e.accountNo, e]));
}

export async function listEmployments(unitId: string): Promise<Map<string, Employment>> {
  const items = await queryPrefix(`UNIT#${unitId}`, 'EMP#');
  return new Map(items.map((i) => [i.accountNo as string, strip<Employment>(i)!]));
}

export const deferralItem = (d: Deferral): TxItem => ({ Put: { TableName: T(), Item: { pk: `UNIT#${d.unitId}`, sk: `DEF#${d.fromPeriod}`, ...d }, ConditionExpression: 'attribute_not_exists(pk)' } });

export async function listDeferrals(unitId: string): Promise<Deferral[]> {
  return (await queryPrefix(`UNIT#${unitId}`, 'DEF#')).map((i) => strip<Deferral>(i)!);
}

/** The unit's approved deferral ranges "YYYY-MM:YYYY-MM", by start (only the periods are read). */
export async function deferralRanges(unitId: string): Promise<string[]> {
  const items = await queryPrefix(`UNIT#${unitId}`, 'DEF#', 'fromPeriod, toPeriod');
  return items.map((i) => `${i.fromPeriod as string}:${i.toPeriod as string}`);
}

// ---------- base adjustments (staged) ----------

const baseAdjKey = (unitId: string, year: number) => ({ pk: `UNIT#${unitId}`, sk: `BASEADJ#${year}` });
const baseAdjChunkKey = (adjustmentId: string, chunkNo: number) => ({ pk: `BADJ#${adjustmentId}`, sk: `C#${String(chunkNo).padStart(4, '0')}` });

export const getBaseAdjustment = (unitId: string, year: number) => get<BaseAdjustment>(baseAdjKey(unitId, year));

/** Adjustments of the unit still being applied (one per year at most: a bounded prefix). */
export async function applyingBaseAdjustments(unitId: string): Promise<BaseAdjustment[]> {
  return (await queryPrefix(`UNIT#${unitId}`, 'BASEADJ#')).map((i) => strip<BaseAdjustment>(i)!).filter((a) => a.status === 'APPLYING');
}

/** The adjustment's header: one per unit and year. */
export const newBaseAdjustmentItem = (a: BaseAdjustment): TxItem => ({
  Put: { TableName: T(), Item: { ...baseAdjKey(a.unitId, a.year), ...a }, ConditionExpression: 'attribute_not_exists(pk)' },
});

/** Staged chunks are written before the header that refers to them (unreachable and harmless if it never commits). */
export async function putBaseAdjustmentChunks(chunks: readonly BaseAdjustmentChunk[]): Promise<void> {
  await batchPut(chunks.map((c) => ({ ...baseAdjChunkKey(c.adjustmentId, c.chunkNo), ...c })));
}

export async function baseAdjustmentChunks(adjustmentId: string): Promise<BaseAdjustmentChunk[]> {
  return (await queryPrefix(`BADJ#${adjustmentId}`, 'C#')).map((i) => strip<BaseAdjustmentChunk>(i)!).sort((a, b) => a.chunkNo - b.chunkNo);
}

export const getBaseAdjustmentChunk = (adjustmentId: string, chunkNo: number) => get<BaseAdjustmentChunk>(baseAdjChunkKey(adjustmentId, chunkNo));

/** The chunk PENDING → APPLIED and the header's progress, in the chunk's own transaction with its accounts. */
export function baseChunkAppliedItems(a: Pick<BaseAdjustment, 'unitId' | 'year' | 'adjustmentId'>, chunkNo: number, at: string): TxItem[] {
  return [
    { Update: transition({ TableName: T(), Key: baseAdjChunkKey(a.adjustmentId, chunkNo), from: 'PENDING', to: 'APPLIED', set: { appliedAt: at } }) },
    {
      Update: {
        TableName: T(),
        Key: baseAdjKey(a.unitId, a.year),
        UpdateExpression: 'ADD appliedChunks :one',
        ConditionExpression: '#s = :applying AND adjustmentId = :id',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':one': 1, ':applying': 'APPLYING', ':id': a.adjustmentId },
      },
    },
  ];
}

/** APPLYING → COMPLETE once every chunk is in (done once). */
export const completeBaseAdjustmentItem = (a: BaseAdjustment, at: string): TxItem => ({
  Update: transition({ TableName: T(), Key: baseAdjKey(a.unitId, a.year), from: 'APPLYING', to: 'COMPLETE', set: { completedAt: at }, when: 'adjustmentId = :id AND appliedChunks = :n', values: { ':id': a.adjustmentId, ':n': a.chunkCount } }),
});

// ---------- remittances ----------

const periodKey = (unitId: string, period: string) => ({ pk: `UNIT#${unitId}`, sk: `PERIOD#${period}` });
export const getPeriodClaim = (unitId: string, period: string) => get<{ remittanceId: string; kind: string }>(periodKey(unitId, period));

export function newRemittanceItems(r: Remittance): TxItem[] {
  return [
    { Put: { TableName: T(), Item: { ...remKey(r.remittanceId), ...r }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: T(), Item: { ...periodKey(r.unitId, r.period), remittanceId: r.remittanceId, kind: r.kind }, ConditionExpression: 'attribute_not_exists(pk)' } },
  ];
}

/**
 * The chunks are written before the remittance that refers to them (a remittance never points at
 * missing chunks). Chunks of a remittance that then fails to commit are unreachable and harmless.
 */
export async function putChunks(chunks: readonly RemittanceChunk[]): Promise<void> {
  await batchPut(chunks.map((c) => ({ ...chunkKey(c.remittanceId, c.chunkNo), ...c })));
}

async function batchPut(items: readonly Record<string, unknown>[]): Promise<void> {
  const puts = items.map((Item) => ({ PutRequest: { Item } }));
  for (let i = 0; i < puts.length; i += 25) {
    let pending: typeof puts | undefined = puts.slice(i, i + 25);
    for (let attempt = 0; pending?.length; attempt++) {
      const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [T()]: pending } }));
      pending = out.UnprocessedItems?.[T()] as typeof puts | undefined;
      if (pending?.length) await sleep(20 * 2 ** Math.min(attempt, 5));
    }
  }
}

export const getRemittance = (remittanceId: string) => get<Remittance>(remKey(remittanceId));

/**
 * The unit's remittances, newest period first: a page of its period claims (written with each
 * remittance in its transaction, so every remittance of the unit has one), then their records in one
 * consistent batch read. The cursor is the last claim's key: it must name this unit's partition and a
 * period claim (a cursor of another list is a 400, never a DynamoDB error).
 */
export async function listRemittancesOfUnit(unitId: string, limit: number, cursor?: string): Promise<Page<Remittance>> {
  const pk = `UNIT#${unitId}`;
  const claims = await queryPage({
    query: { TableName: T(), KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)', ExpressionAttributeValues: { ':p': pk, ':s': 'PERIOD#' }, ScanIndexForward: false, ConsistentRead: true },
    keys: TABLE_KEYS,
    partition: { pk },
    belongs: (key) => String(key.sk).startsWith('PERIOD#'),
    limit,
    cursor,
    item: (i) => i.remittanceId as string,
  });
  const byId = new Map((await batchGet<Remittance>(claims.items.map(remKey))).map((r) => [r.remittanceId, r]));
  return { items: claims.items.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])), nextCursor: claims.nextCursor };
}
export const getChunk = (remittanceId: string, chunkNo: number) => get<RemittanceChunk>(chunkKey(remittanceId, chunkNo));

/** Some chunks of a remittance (a message's: ≤ 100 keys) in one consistent batch read, by chunk number. */
export async function getChunks(remittanceId: string, chunkNos: readonly number[]): Promise<RemittanceChunk[]> {
  return (await batchGet<RemittanceChunk>(chunkNos.map((n) => chunkKey(remittanceId, n)))).sort((a, b) => a.chunkNo - b.chunkNo);
}

/** AWAITING_FUNDS → POSTING with the settlement; indexed as posting for the sweeper. */
export const settleItem = (remittanceId: string, settlement: NonNullable<Remittance['settlement']>): TxItem => ({
  Update: transition({ TableName: T(), Key: remKey(remittanceId), from: 'AWAITING_FUNDS', to: 'POSTING', set: { settlement, gsi1pk: POSTING_INDEX, gsi1sk: settlement.settledAt } }),
});

/** The chunk PENDING → POSTED and the remittance's progress, in the chunk's posting transaction. */
export function chunkPostedItems(c: RemittanceChunk, progress: { count: number; fen: number; skippedCount: number; skippedFen: number }, skipped: string[], at: string): TxItem[] {
  return [
    { Update: transition({ TableName: T(), Key: chunkKey(c.remittanceId, c.chunkNo), from: 'PENDING', to: 'POSTED', set: { postedAt: at, skipped } }) },
    {
      Update: {
        TableName: T(),
        Key: remKey(c.remittanceId),
        UpdateExpression: 'ADD postedChunks :one, postedCount :n, postedFen :f, skippedCount :sn, skippedFen :sf',
        ExpressionAttributeValues: { ':one': 1, ':n': progress.count, ':f': progress.fen, ':sn': progress.skippedCount, ':sf': progress.skippedFen },
      },
    },
  ];
}

/** POSTING → POSTED once every chunk is posted (conditional: done once), in a transaction with its archive record. */
export const remittancePostedItem = (remittanceId: string, chunkCount: number, at: string): TxItem => ({
  Update: transition({ TableName: T(), Key: remKey(remittanceId), from: 'POSTING', to: 'POSTED', set: { postedAt: at }, remove: ['gsi1pk', 'gsi1sk'], when: 'postedChunks = :n', values: { ':n': chunkCount } }),
});

export async function pendingChunkNos(remittanceId: string): Promise<number[]> {
  const items = await queryPrefix(`REM#${remittanceId}`, 'C#', 'chunkNo, #s');
  return items.filter((i) => i.status === 'PENDING').map((i) => i.chunkNo as number);
}

/** Remittances still posting that were settled before `settledBefore` (ISO timestamp). */
export const postingRemittancesSettledBefore = (settledBefore: string, limit: number, cursor?: string): Promise<Page<string>> =>
  queryPage({
    query: { TableName: T(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :t', ExpressionAttributeValues: { ':p': POSTING_INDEX, ':t': settledBefore } },
    keys: indexKeys('gsi1'),
    partition: { gsi1pk: POSTING_INDEX },
    limit,
    cursor,
    item: (i) => i.remittanceId as string,
  });

// ---------- interest runs ----------

export async function getRun(runId: string): Promise<InterestRun | undefined> {
  const run = await get<Omit<InterestRun, 'doneSegments'> & { doneSegments?: Set<number> }>(runKey(runId));
  return run && { ...run, doneSegments: [...(run.doneSegments ?? [])].sort((a, b) => a - b) };
}

export const newRunItem = (run: InterestRun): TxItem => {
  const { doneSegments: _none, ...rest } = run; // an empty set cannot be stored; ADD creates it
  return { Put: { TableName: T(), Item: { ...runKey(run.runId), ...rest }, ConditionExpression: 'attribute_not_exists(pk)' } };
};

/** A FAILED run is restarted by a new request for its year. */
export const restartRunItem = (runId: string): TxItem => ({
  Update: transition({ TableName: T(), Key: runKey(runId), from: 'FAILED', to: 'RUNNING' }),
});

/** Counts of a settled group of accounts, in the same transaction as their interest postings. */
export const runProgressItem = (runId: string, accounts: number, interestFen: number): TxItem => ({
  Update: { TableName: T(), Key: runKey(runId), UpdateExpression: 'ADD accounts :n, totalInterestFen :f', ExpressionAttributeValues: { ':n': accounts, ':f': interestFen } },
});

/** Idempotent (a set): a redelivered last page adds the segment once. */
export const markSegmentDone = (runId: string, segment: number) =>
  ddb.send(new UpdateCommand({ TableName: T(), Key: runKey(runId), UpdateExpression: 'ADD doneSegments :s', ExpressionAttributeValues: { ':s': new Set([segment]) } }));

export const completeRun = (runId: string, segments: number, at: string) =>
  updateIf(transition({ TableName: T(), Key: runKey(runId), from: 'RUNNING', to: 'COMPLETED', set: { completedAt: at }, when: 'size(doneSegments) = :n', values: { ':n': segments } }));

export const failRun = (runId: string) =>
  updateIf(transition({ TableName: T(), Key: runKey(runId), from: 'RUNNING', to: 'FAILED' }));

// ---------- deposit certificates ----------

const depositCertificateKey = (certificateNo: string) => ({ pk: `DCERT#${certificateNo}`, sk: 'DCERT' });

/** A deposit certificate as issued, by its number. */
export const getDepositCertificate = (certificateNo: string) => get<DepositCertificate>(depositCertificateKey(certificateNo));

/** Puts a new deposit certificate; a second put of the same number fails its condition (written once). */
export const newDepositCertificateItem = (c: DepositCertificate): TxItem => ({
  Put: { TableName: T(), Item: { ...depositCertificateKey(c.certificateNo), ...c }, ConditionExpression: 'attribute_not_exists(pk)' },
});
