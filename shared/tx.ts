// The one way to commit a business write: the effect, the ledger entries and the idempotency record
// in a single TransactWriteItems. Optimistic: the plan reads, decides and returns conditional items;
// a lost race re-plans from fresh reads (with back-off and jitter).
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ddb, MAX_TX_ITEMS, type TxItem } from './ddb.ts';
import { tableName } from './config.ts';
import { DomainError, fail } from './errors.ts';

export interface IdempotencyContext {
  /** Who owns the key (JWT `sub` or partner center code): keys are scoped to the caller. */
  scope: string;
  key: string;
  /** SHA-256 of method, path and canonical body. */
  hash: string;
  /** Status to store and answer on success (201, 202 …). */
  status: number;
}

export interface Plan<T> {
  items: TxItem[];
  body: T;
}

export interface Outcome<T> {
  status: number;
  body: T;
  replayed: boolean;
}

const IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;
const RETRYABLE_REASONS = new Set(['ConditionalCheckFailed', 'TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);
const RETRYABLE_ERRORS = new Set(['TransactionConflictException', 'ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'InternalServerError']);

const idemKey = (c: IdempotencyContext) => ({ pk: `IDEM#${c.scope}#${c.key}`, sk: 'R' });

interface StoredResponse {
  hash: string;
  status: number;
  /** The response body as JSON text: a replay answers byte for byte what the first request got. */
  bodyJson: string;
  expiresAt: number;
}

async function readStored(c: IdempotencyContext): Promise<StoredResponse | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: tableName('idempotency'), Key: idemKey(c), ConsistentRead: true }));
  const item = out.Item as StoredResponse | undefined;
  if (!item || item.expiresAt < Math.floor(Date.now() / 1000)) return undefined; // TTL is compared here: DynamoDB Local never expires
  return item;
}

function replay<T>(c: IdempotencyContext, stored: StoredResponse): Outcome<T> {
  if (stored.hash !== c.hash) fail('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request / 幂等键已用于其他请求');
  return { status: stored.status, body: JSON.parse(stored.bodyJson) as T, replayed: true };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Exponential back-off with full jitter. */
export const backoffMs = (attempt: number, baseMs = 8, capMs = 400) => Math.random() * Math.min(capMs, baseMs * 2 ** attempt);

export interface CommitOptions<T> {
  idempotency?: IdempotencyContext;
  plan: (attempt: number) => Promise<Plan<T>>;
  maxAttempts?: number;
  /** Status for a commit without idempotency (default 200). */
  status?: number;
}

/** Test seam: lets a fault-injection test fail or observe the write. Never set in production code. */
export const faults: { beforeWrite?: (items: TxItem[]) => void | Promise<void> } = {};

export async function commit<T>(opts: CommitOptions<T>): Promise<Outcome<T>> {
  const idem = opts.idempotency;
  if (idem) {
    const stored = await readStored(idem);
    if (stored) return replay<T>(idem, stored);
  }
  const maxAttempts = opts.maxAttempts ?? 40;
  for (let attempt = 0; ; attempt++) {
    let plan: Plan<T>;
    try {
      plan = await opts.plan(attempt);
    } catch (err) {
      // A concurrent duplicate of this request may have committed since the pre-check, and its
      // effect is what the plan now refuses ("already paid"): answer with its stored response.
      if (idem && err instanceof DomainError) {
        const stored = await readStored(idem);
        if (stored) return replay<T>(idem, stored);
      }
      throw err;
    }
    const items = [...plan.items];
    const status = idem?.status ?? opts.status ?? 200;
    let idemIndex = -1;
    if (idem) {
      const now = Math.floor(Date.now() / 1000);
      idemIndex = items.length;
      items.push({
        Put: {
          TableName: tableName('idempotency'),
          Item: { ...idemKey(idem), hash: idem.hash, status, bodyJson: JSON.stringify(plan.body ?? null), createdAt: new Date().toISOString(), expiresAt: now + IDEMPOTENCY_TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        },
      });
    }
    if (items.length === 0) return { status, body: plan.body, replayed: false };
    // the first answer is the stored JSON too, so that it and every replay are identical
    plan = { ...plan, body: JSON.parse(JSON.stringify(plan.body ?? null)) as T };
    if (items.length > MAX_TX_ITEMS) throw new Error(`transaction of ${items.length} items exceeds ${MAX_TX_ITEMS}`);
    try {
      if (faults.beforeWrite) await faults.beforeWrite(items);
      await ddb.send(new TransactWriteCommand({ TransactItems: items }));
      return { status, body: plan.body, replayed: false };
    } catch (err) {
      if (err instanceof DomainError) throw err;
      const reasons = err instanceof TransactionCanceledException ? (err.CancellationReasons ?? []) : undefined;
      if (idem && reasons && reasons[idemIndex]?.Code === 'ConditionalCheckFailed') {
        const stored = await readStored(idem); // a concurrent duplicate committed first
        if (stored) return replay<T>(idem, stored);
      }
      const retryable = reasons
        ? reasons.some((r) => r.Code && RETRYABLE_REASONS.has(r.Code))
        : RETRYABLE_ERRORS.has((err as { name?: string }).name ?? '');
      if (!retryable) throw err;
      if (attempt + 1 >= maxAttempts) fail('CONFLICT', 'The resource is being changed by another request; try again / 资源正被并发修改，请重试');
      await sleep(backoffMs(attempt));
    }
  }
}
