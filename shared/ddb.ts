// DynamoDB access shared by every store: one document client per process, created at module scope
// and traced (shared/trace.ts).
// The endpoint comes from the standard AWS_ENDPOINT_URL_DYNAMODB variable locally.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand, type BatchGetCommandOutput, type QueryCommandInput, type TransactWriteCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { tracer } from './trace.ts';
import { DomainError } from './errors.ts';

export const ddb = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({ maxAttempts: 6 })), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on items in one TransactWriteItems call. */
export const MAX_TX_ITEMS = 100;

/** A table's own key attributes; an index's are `indexKeys('gsi1')`: the table's and the index's. */
export const TABLE_KEYS = ['pk', 'sk'] as const;
export const indexKeys = (index: string): readonly string[] => [...TABLE_KEYS, `${index}pk`, `${index}sk`];

/** An item without its key and index attributes (pk, sk, gsiNpk, gsiNsk) and those named in `also`: the record a store hands out. */
export function stripKeys<T>(item: Record<string, unknown>, also: readonly string[] = []): T {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (k !== 'pk' && k !== 'sk' && !/^gsi\d+(pk|sk)$/.test(k) && !also.includes(k)) rest[k] = v;
  return rest as T;
}

/** One item by its key, read consistently, without its key attributes (`stripKeys`); undefined when there is none. */
export async function getItem<T>(table: string, key: { pk: string; sk: string }, also: readonly string[] = []): Promise<T | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return out.Item ? stripKeys<T>(out.Item, also) : undefined;
}

/** DynamoDB's limit on the keys of one BatchGetItem request. */
const MAX_BATCH_GET_KEYS = 100;

/**
 * Items by key, read consistently in batches of 100 (keys DynamoDB leaves unprocessed are asked again
 * with back-off), without their key attributes; those not found are absent (in no particular order).
 */
export async function batchGetItems<T>(table: string, keys: readonly { pk: string; sk: string }[], also: readonly string[] = []): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < keys.length; i += MAX_BATCH_GET_KEYS) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + MAX_BATCH_GET_KEYS);
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 5)));
      const out: BatchGetCommandOutput = await ddb.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(out.Responses?.[table] ?? []).map((item) => stripKeys<T>(item, also)));
      pending = out.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return found;
}

/** Whether an error is DynamoDB's refusal of a write whose condition did not hold. */
export const isConditionFailure = (e: unknown): boolean => (e as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

/**
 * A conditional transition written directly (outside a transaction): true when it was written, false
 * when its condition did not hold (the record is not, or no longer, in the state it moves from:
 * someone else did it). Any other error is thrown.
 */
export async function updateIf(input: UpdateCommandInput): Promise<boolean> {
  try {
    await ddb.send(new UpdateCommand(input));
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/**
 * The condition of a put that creates a record (`from` undefined: its key is new, written once) or
 * moves it on from the status `from` it was read in (a concurrent change fails the write, which
 * re-plans). The one conditional transition of a stored record's status.
 */
export const transitionFrom = (from?: string): Pick<TxPut, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =>
  from === undefined ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: '#s = :from', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':from': from } };
type TxPut = NonNullable<TxItem['Put']>;

/** A status transition written by an Update: `from` → `to`, with what changes with it. */
export interface Transition {
  TableName: string;
  Key: Record<string, unknown>;
  from: string;
  to: string;
  /** Attributes written with the move. */
  set?: Record<string, unknown>;
  /** Attributes removed with it (an index entry the record leaves). */
  remove?: readonly string[];
  /** What else the record must hold (over `values`, e.g. 'postedChunks = :n'), besides being in `from`. */
  when?: string;
  values?: Record<string, unknown>;
}

/**
 * The one conditional transition of a record's status as an Update (for a transaction item, `{ Update:
 * transition(…) }`, or written directly with `updateIf`): it applies only to a record in `from` (and
 * `when`), so of two writers moving the same record one wins and the other's write fails.
 */
export function transition(t: Transition): TxUpdate {
  const names: Record<string, string> = { '#s': 'status' };
  const values: Record<string, unknown> = { ':from': t.from, ':to': t.to, ...t.values };
  const sets = ['#s = :to'];
  Object.entries(t.set ?? {}).forEach(([k, v], i) => {
    names[`#t${i}`] = k;
    values[`:t${i}`] = v;
    sets.push(`#t${i} = :t${i}`);
  });
  const removes = (t.remove ?? []).map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  return {
    TableName: t.TableName,
    Key: t.Key,
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: t.when ? `#s = :from AND ${t.when}` : '#s = :from',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
type TxUpdate = NonNullable<TxItem['Update']>;

/** Every item a query matches, following LastEvaluatedKey (for bounded partitions only). */
export async function queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ddb.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A page of a list: `nextCursor` is opaque to clients (api.md: `?cursor=`). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The opaque cursor of a query's LastEvaluatedKey (null at the end). */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | null => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null);

/**
 * A cursor back into the ExclusiveStartKey of the same query, or a 400: it must decode to an object
 * with exactly the key attributes `keyNames` (strings), and the attributes in `fixed` must have those
 * values (the partition the query reads). A forged cursor (`e30`) or one taken from another list is
 * refused before it reaches DynamoDB, which would otherwise fail the request with a 500.
 */
export function decodeCursor(cursor: string | undefined, keyNames: readonly string[], fixed: Record<string, string> = {}): Record<string, unknown> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let key: unknown;
  try {
    key = /^[A-Za-z0-9_-]{1,1400}$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    key = undefined;
  }
  const k = key as Record<string, unknown> | undefined;
  const ok =
    !!k &&
    typeof k === 'object' &&
    !Array.isArray(k) &&
    Object.keys(k).length === keyNames.length &&
    keyNames.every((n) => typeof k[n] === 'string' && (k[n] as string).length > 0 && (k[n] as string).length <= 1024) &&
    Object.entries(fixed).every(([n, v]) => k[n] === v);
  if (!ok) invalidCursor();
  return k;
}

/** One page of a list: a query of one partition, and the cursor a client got from its previous page. */
export interface PageQuery<T> {
  /** The query (table, index, key condition, filter, order) without Limit and ExclusiveStartKey. */
  query: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>;
  /** The key attributes of what the query reads (`TABLE_KEYS`, or `indexKeys(index)`): a cursor is exactly these. */
  keys: readonly string[];
  /** The attributes the list fixes (its partition, e.g. `{ gsi1pk: 'FINDINGS#OPEN' }`): a cursor of another list is refused. */
  partition: Record<string, string>;
  /** What else a cursor must satisfy to belong to this list (its sort key within the range read, its record's prefix). */
  belongs?: (key: Record<string, unknown>) => boolean;
  limit: number;
  cursor?: string;
  /** The record of an item (default: `stripKeys`). */
  item?: (item: Record<string, any>) => T;
  /**
   * With a filter, fill the page: read on, this many items a request, until `limit` records are in or
   * the list ends; the cursor is then the key of the last record returned. Without it a filtered page
   * may be short (DynamoDB filters after its Limit).
   */
  fill?: number;
}

/**
 * The one paged query of the stores: the client's cursor is checked to belong to this list
 * (`decodeCursor`: its key attributes, its partition, `belongs`) before it reaches DynamoDB, and the
 * next cursor is the key of where the page ended (null at the end).
 */
export async function queryPage<T>(q: PageQuery<T>): Promise<Page<T>> {
  let start = decodeCursor(q.cursor, q.keys, q.partition);
  if (start && q.belongs && !q.belongs(start)) invalidCursor();
  const keyOf = (i: Record<string, unknown>) => Object.fromEntries(q.keys.map((k) => [k, i[k]]));
  const record = q.item ?? ((i: Record<string, any>) => stripKeys<T>(i));
  if (!q.fill) {
    const out = await ddb.send(new QueryCommand({ ...q.query, Limit: q.limit, ExclusiveStartKey: start }));
    return { items: (out.Items ?? []).map(record), nextCursor: encodeCursor(out.LastEvaluatedKey && keyOf(out.LastEvaluatedKey)) };
  }
  const items: Record<string, any>[] = [];
  do {
    const out = await ddb.send(new QueryCommand({ ...q.query, Limit: q.fill, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start && items.length < q.limit);
  const page = items.slice(0, q.limit);
  const last = page[page.length - 1];
  return { items: page.map(record), nextCursor: (items.length > q.limit || start) && last ? encodeCursor(keyOf(last)) : null };
}

/**
 * A work queue kept as one partition of an index (`index`pk = `pk`), oldest first: all of it, or the
 * items of one `branch`. A branch's page is filled by reading on `fill` items at a time (the filter
 * runs after DynamoDB's Limit), and its cursor is the key of the last item returned.
 */
export function queuePage<T>(q: { table: string; index: string; pk: string; branch?: string; limit: number; cursor?: string; fill: number; item?: (i: Record<string, any>) => T }): Promise<Page<T>> {
  const values = { ':q': q.pk, ...(q.branch ? { ':b': q.branch } : {}) };
  return queryPage({
    query: {
      TableName: q.table,
      IndexName: q.index,
      KeyConditionExpression: `${q.index}pk = :q`,
      ...(q.branch ? { FilterExpression: '#b = :b', ExpressionAttributeNames: { '#b': 'branch' } } : {}),
      ExpressionAttributeValues: values,
      ScanIndexForward: true,
    },
    keys: indexKeys(q.index),
    partition: { [`${q.index}pk`]: q.pk },
    limit: q.limit,
    cursor: q.cursor,
    ...(q.item ? { item: q.item } : {}),
    ...(q.branch ? { fill: q.fill } : {}),
  });
}

/** A range of a paged list: `limit` items after `cursor`; with `through` (a page's nextCursor: the key of its last item) only up to that item, inclusive. */
export interface PageRange {
  limit: number;
  cursor?: string;
  through?: string;
}

/**
 * One page of an index partition (`index`pk = `pk`) in its sort order, `range.through` bounding it: a
 * page read again (a redelivered message) reads no further than it did the first time, even when its
 * list grew since. A cursor outside the bound is refused.
 */
export function partitionPage<T>(q: { table: string; index: string; pk: string; range: PageRange; item?: (i: Record<string, any>) => T }): Promise<Page<T>> {
  const keys = indexKeys(q.index);
  const [pkName, skName] = [`${q.index}pk`, `${q.index}sk`];
  const upTo = q.range.through === undefined ? undefined : (decodeCursor(q.range.through, keys, { [pkName]: q.pk })?.[skName] as string | undefined);
  return queryPage({
    query: {
      TableName: q.table,
      IndexName: q.index,
      KeyConditionExpression: upTo === undefined ? `${pkName} = :v` : `${pkName} = :v AND ${skName} <= :t`,
      ExpressionAttributeValues: upTo === undefined ? { ':v': q.pk } : { ':v': q.pk, ':t': upTo },
    },
    keys,
    partition: { [pkName]: q.pk },
    belongs: (key) => upTo === undefined || (key[skName] as string) <= upTo,
    limit: q.range.limit,
    cursor: q.range.cursor,
    ...(q.item ? { item: q.item } : {}),
  });
}

/** The 400 of a refused list cursor (for a store that checks more of a cursor than its shape). */
export function invalidCursor(): never {
  throw new DomainError('VALIDATION_FAILED', 'Invalid cursor / 无效的分页游标', [{ path: 'query.cursor', message: 'invalid cursor' }]);
}
