// DynamoDB access shared by every store: one document client per process, created at module scope
// and traced (shared/trace.ts).
// The endpoint comes from the standard AWS_ENDPOINT_URL_DYNAMODB variable locally.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { tracer } from './trace.ts';
import { DomainError } from './errors.ts';

export const ddb = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({ maxAttempts: 6 })), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on items in one TransactWriteItems call. */
export const MAX_TX_ITEMS = 100;

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

/** The 400 of a refused list cursor (for a store that checks more of a cursor than its shape). */
export function invalidCursor(): never {
  throw new DomainError('VALIDATION_FAILED', 'Invalid cursor / 无效的分页游标', [{ path: 'query.cursor', message: 'invalid cursor' }]);
}
