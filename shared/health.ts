// GET /v1/health: the store and the queues answer.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from './ddb.ts';
import { tableName, version } from './config.ts';
import { queueDepth } from './sqs.ts';

export async function health(queueNames: readonly string[]) {
  const check = async (f: () => Promise<unknown>) => {
    try {
      await f();
      return 'ok' as const;
    } catch {
      return 'error' as const;
    }
  };
  const store = await check(() => ddb.send(new GetCommand({ TableName: tableName('ledger'), Key: { pk: 'HEALTH', sk: 'HEALTH' } })));
  const queues = await check(() => Promise.all(queueNames.map((q) => queueDepth(q))));
  const ok = store === 'ok' && queues === 'ok';
  return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'degraded', checks: { store, queues }, version: version() } };
}
