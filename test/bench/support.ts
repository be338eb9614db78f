// Write helpers shared by the benchmarks. The DynamoDB client is imported when a helper first runs:
// a benchmark starts its runtime first, and the client binds the runtime's endpoint when it loads.
import { BatchWriteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TxItem } from '../../shared/ddb.ts';
import { newAccountNo } from '../../shared/ids.ts';

const BATCH_ITEMS = 25; // BatchWriteItem's limit

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/**
 * BatchWriteItem of the requests to one table, `concurrency` batches of 25 in flight, unprocessed
 * items retried. The requests are drawn as the writers go: a generator keeps a large load lazy.
 */
export async function batchWrite(table: string, requests: Iterable<WriteRequest>, concurrency: number): Promise<void> {
  const { ddb } = await import('../../shared/ddb.ts');
  const source = requests[Symbol.iterator]();
  const nextBatch = (): WriteRequest[] => {
    const batch: WriteRequest[] = [];
    while (batch.length < BATCH_ITEMS) {
      const r = source.next();
      if (r.done) break;
      batch.push(r.value);
    }
    return batch;
  };
  const writer = async () => {
    for (let pending = nextBatch(); pending.length; pending = nextBatch()) {
      while (pending.length) {
        const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] as WriteRequest[] | undefined) ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
}

/**
 * Writes the transactions with `concurrency` writers, a transaction cancelled by a conflict on a
 * shared item (a progress counter, a control-total shard) retried as `commit` does: seconds taken.
 */
export async function writeTransactions(transactions: readonly TxItem[][], concurrency: number): Promise<number> {
  const { ddb } = await import('../../shared/ddb.ts');
  let next = 0;
  const t0 = performance.now();
  const writer = async () => {
    while (next < transactions.length) {
      const items = transactions[next++];
      for (;;) {
        try {
          await ddb.send(new TransactWriteCommand({ TransactItems: items }));
          break;
        } catch (err) {
          const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
          if (!reasons.some((r) => r.Code === 'TransactionConflict')) throw err;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
  return (performance.now() - t0) / 1000;
}

/** Account numbers for bulk loads, each handed out once in this process (newAccountNo is random). */
export function distinctAccountNos() {
  const used = new Set<string>();
  return {
    next(): string {
      let no = newAccountNo();
      while (used.has(no)) no = newAccountNo();
      used.add(no);
      return no;
    },
    /** How many have been handed out. */
    get count() {
      return used.size;
    },
  };
}

type Update = NonNullable<TxItem['Update']>;

/** Sums `ADD` updates per item key: numbers add up, string sets unite. */
export class AddUpdates {
  private readonly byKey = new Map<string, { table: string; key: Record<string, unknown>; fields: Map<string, number | Set<string>> }>();

  add(u: Update) {
    if (!u.UpdateExpression?.startsWith('ADD ')) throw new Error(`not an ADD update: ${u.UpdateExpression}`);
    const id = `${u.TableName}|${JSON.stringify(u.Key)}`;
    const target = this.byKey.get(id) ?? { table: u.TableName!, key: u.Key!, fields: new Map() };
    this.byKey.set(id, target);
    for (const part of u.UpdateExpression.slice(4).split(',')) {
      const [nameRef, valueRef] = part.trim().split(/\s+/);
      const field = u.ExpressionAttributeNames?.[nameRef] ?? nameRef;
      const value = u.ExpressionAttributeValues?.[valueRef] as number | Set<string>;
      const before = target.fields.get(field);
      if (typeof value === 'number') target.fields.set(field, ((before as number | undefined) ?? 0) + value);
      else target.fields.set(field, new Set([...((before as Set<string> | undefined) ?? []), ...value]));
    }
  }

  /** The merged updates, one per key. */
  updates(): Update[] {
    return [...this.byKey.values()].map(({ table, key, fields }) => {
      const entries = [...fields.entries()];
      return {
        TableName: table,
        Key: key,
        UpdateExpression: `ADD ${entries.map((_e, i) => `#f${i} :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([f], i) => [`#f${i}`, f])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
      };
    });
  }
}

/** A write request and the table it goes to. */
export interface TableWrite {
  table: string;
  request: WriteRequest;
}

/**
 * BatchWriteItem of requests to any tables (25 a request, whichever tables they name), `concurrency`
 * requests in flight, unprocessed items retried; the requests are drawn lazily from the iterable.
 * Returns the number of items written.
 */
export async function batchWriteTables(requests: Iterable<TableWrite>, concurrency: number): Promise<number> {
  const { ddb } = await import('../../shared/ddb.ts');
  const source = requests[Symbol.iterator]();
  let written = 0;
  const nextBatch = (): Record<string, WriteRequest[]> | undefined => {
    const batch: Record<string, WriteRequest[]> = {};
    let n = 0;
    while (n < BATCH_ITEMS) {
      const r = source.next();
      if (r.done) break;
      (batch[r.value.table] ??= []).push(r.value.request);
      n++;
    }
    written += n;
    return n ? batch : undefined;
  };
  const writer = async () => {
    for (let pending = nextBatch(); pending; pending = nextBatch()) {
      for (let attempt = 0; pending && Object.keys(pending).length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 5)));
        const out = await ddb.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = out.UnprocessedItems as Record<string, WriteRequest[]> | undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
  return written;
}
