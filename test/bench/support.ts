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
