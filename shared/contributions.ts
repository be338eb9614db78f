// Contribution facts that other domains rely on (loan eligibility counts deferred months as
// continuous): a unit's approved deferral (缓缴) ranges, kept beside the personal accounts in the
// ledger table and written by the deposits domain in the same transaction as its deferral record.
//   UNIT#<unitId> / DEFERRALS   { ranges: ["YYYY-MM:YYYY-MM", …] }
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, type TxItem } from './ddb.ts';
import { tableName } from './config.ts';

export { consecutiveDepositMonths, addPeriod, inRanges } from './ledger/account.ts';

export function deferralRangeItem(unitId: string, fromPeriod: string, toPeriod: string): TxItem {
  return {
    Update: {
      TableName: tableName('ledger'),
      Key: { pk: `UNIT#${unitId}`, sk: 'DEFERRALS' },
      UpdateExpression: 'SET ranges = list_append(if_not_exists(ranges, :empty), :r)',
      ExpressionAttributeValues: { ':empty': [], ':r': [`${fromPeriod}:${toPeriod}`] },
    },
  };
}

/** The unit's deferred period ranges (empty when none). */
export async function unitDeferrals(unitId: string | undefined): Promise<string[]> {
  if (!unitId) return [];
  const out = await ddb.send(new GetCommand({ TableName: tableName('ledger'), Key: { pk: `UNIT#${unitId}`, sk: 'DEFERRALS' }, ConsistentRead: true }));
  return (out.Item?.ranges as string[] | undefined) ?? [];
}

/** Registered units per branch (缴存单位数): `UNITS / <branch>`, + at registration, in its transaction. */
export function unitCountItem(branch: string, delta = 1): TxItem {
  return { Update: { TableName: tableName('ledger'), Key: { pk: 'UNITS', sk: branch }, UpdateExpression: 'ADD units :d', ExpressionAttributeValues: { ':d': delta } } };
}

/** Units of the given branches, or of the whole city (one small partition: one item per branch). */
export async function unitCounts(branch?: string): Promise<number> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: tableName('ledger'),
      KeyConditionExpression: branch ? 'pk = :p AND sk = :b' : 'pk = :p',
      ExpressionAttributeValues: branch ? { ':p': 'UNITS', ':b': branch } : { ':p': 'UNITS' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).reduce((n, i) => n + Number(i.units ?? 0), 0);
}
