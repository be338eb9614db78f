// Entry points for the measure's own tests (test/infra/grants.test.ts): one file, several handlers,
// each measured on its own (only the named handler's code is the function's).
import { commit } from '../../../shared/tx.ts';
import { send } from '../../../shared/sqs.ts';
import { openSecret } from '../../../shared/secrets.ts';
import { presignGet } from '../../../shared/s3.ts';
import { tableName } from '../../../shared/config.ts';
import { deleteDepositProbe, probeUnchangedItem, putProbeItem, readProbe, updateWhere } from './store.ts';

const QUEUE = 'loan-batch';
const secretContext = (subject: string) => ({ purpose: 'partner-secret', subject });

/** Reads, and commits a transaction that only checks: read. */
export const reader = async () => {
  await readProbe('a');
  await commit({ plan: async () => ({ items: [probeUnchangedItem('a')], body: null }) });
};

/** Writes through a transaction item, sends through a constant's queue. */
export const writer = async () => {
  await commit({ plan: async () => ({ items: [putProbeItem('a')], body: null }) });
  await send(QUEUE, { body: {} });
};

/** Deletes with a command, updates through a wrapper; opens a secret; signs a download link. */
export const other = async () => {
  await deleteDepositProbe('a');
  await updateWhere({ TableName: tableName('withdrawals'), Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 } });
  await openSecret('hpfs1.local.x', secretContext('a'));
  await presignGet('documents', 'k', { expiresInSeconds: 60, now: new Date() });
};
