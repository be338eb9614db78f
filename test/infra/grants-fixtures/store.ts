// A store as the domains write them, for the measure's own tests (test/infra/grants.test.ts): the
// table through `T()`, readers, a transaction item that writes, one that only checks, and a
// command that writes another table by name, and a wrapper that writes the table its caller names.
import { DeleteCommand, GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb, type TxItem } from '../../../shared/ddb.ts';
import { tableName } from '../../../shared/config.ts';

const T = () => tableName('loans');
const key = (id: string) => ({ pk: `PROBE#${id}`, sk: 'P' });

export const readProbe = (id: string) => ddb.send(new GetCommand({ TableName: T(), Key: key(id) }));
export const putProbeItem = (id: string): TxItem => ({ Put: { TableName: T(), Item: { ...key(id), at: 'now' } } });
export const probeUnchangedItem = (id: string): TxItem => ({ ConditionCheck: { TableName: T(), Key: key(id), ConditionExpression: 'attribute_exists(pk)' } });
export const deleteDepositProbe = (id: string) => ddb.send(new DeleteCommand({ TableName: tableName('deposits'), Key: key(id) }));

/** Writes the table its caller names (as shared/ddb.ts's conditional update does). */
export async function updateWhere(input: UpdateCommandInput): Promise<void> {
  await ddb.send(new UpdateCommand(input));
}
