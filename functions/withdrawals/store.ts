// The withdrawals table: the only code that knows its keys, index and conditions.
//
// Keys (table `withdrawals`):
//   W#<withdrawalId>        / W       the withdrawal and its archive (evidence, hash, decisions)
//       gsi1: ACCW#<accountNo> / <submittedAt>#<withdrawalId>   withdrawals of an account, by time
//   CLAIM#PROPERTY#<certNo> / CLAIM   what was claimed and paid against a property, by anyone
//   CLAIM#PERMIT#<permitNo> / CLAIM   the same for a building permit (BUILD_REPAIR)
//       gsi2: CLAIMS#<shard 00-15> / <kind>#<docNo>           every claim, for the audit (16 shards)
//   withdrawals also: gsi2: WREASON#<reason>#<year> / <submittedAt>#<id>   by reason and year (audit)
// A claim is written with a condition on the version read, so concurrent claims on one property
// cannot exceed its cap: the loser re-plans from fresh reads.
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { ddb, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { DomainError } from '../../shared/errors.ts';
import type { SpendingClaim, SpendingRef, Withdrawal } from './domain/withdrawal.ts';

const T = () => tableName('withdrawals');
const withdrawalKey = (withdrawalId: string) => ({ pk: `W#${withdrawalId}`, sk: 'W' });
const claimKey = (ref: SpendingRef) => ({ pk: `CLAIM#${ref.kind}#${ref.docNo}`, sk: 'CLAIM' });
const accountIndexPk = (accountNo: string) => `ACCW#${accountNo}`;
export const CLAIM_SHARDS = 16;
const claimShard = (ref: SpendingRef) => String(createHash('sha256').update(`${ref.kind}#${ref.docNo}`).digest()[0] % CLAIM_SHARDS).padStart(2, '0');

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest as T;
}

export async function getWithdrawal(withdrawalId: string): Promise<Withdrawal | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: T(), Key: withdrawalKey(withdrawalId), ConsistentRead: true }));
  return out.Item ? strip<Withdrawal>(out.Item) : undefined;
}

export async function getClaim(ref: SpendingRef): Promise<SpendingClaim | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: T(), Key: claimKey(ref), ConsistentRead: true }));
  return out.Item ? strip<SpendingClaim>(out.Item) : undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Withdrawals of an account, newest first. */
export async function listWithdrawalsOfAccount(accountNo: string, limit: number, cursor?: string): Promise<Page<Withdrawal>> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: T(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': accountIndexPk(accountNo) },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, accountIndexPk(accountNo)),
    }),
  );
  const next = out.LastEvaluatedKey ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') : null;
  return { items: (out.Items ?? []).map((i) => strip<Withdrawal>(i)), nextCursor: next };
}

/** A cursor is the last key of a page of the same account's index partition; anything else is refused. */
function decodeCursor(cursor: string | undefined, gsi1pk: string): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const keys = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
    if (key?.gsi1pk === gsi1pk && Object.keys(key).length === keys.length && keys.every((k) => typeof key[k] === 'string')) return key;
  } catch {
    /* refused below */
  }
  throw new DomainError('VALIDATION_FAILED', 'Invalid cursor / 无效的分页游标', [{ path: 'query.cursor', message: 'invalid cursor' }]);
}

/** Puts a withdrawal. `expectStatus`: the status it must still have (a review decision); none: it must be new. */
export function putWithdrawalItem(w: Withdrawal, expectStatus?: Withdrawal['status']): TxItem {
  return {
    Put: {
      TableName: T(),
      Item: {
        ...withdrawalKey(w.withdrawalId),
        gsi1pk: accountIndexPk(w.accountNo),
        gsi1sk: `${w.submittedAt}#${w.withdrawalId}`,
        gsi2pk: `WREASON#${w.reason}#${w.submittedAt.slice(0, 4)}`,
        gsi2sk: `${w.submittedAt}#${w.withdrawalId}`,
        ...w,
      },
      ...(expectStatus
        ? { ConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': expectStatus } }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
}

/** Puts a claim conditioned on the version it was read at (`next.version - 1`; 0 = it did not exist). */
export function putClaimItem(next: SpendingClaim): TxItem {
  const readVersion = next.version - 1;
  return {
    Put: {
      TableName: T(),
      Item: { ...claimKey(next), gsi2pk: `CLAIMS#${claimShard(next)}`, gsi2sk: `${next.kind}#${next.docNo}`, ...next },
      ...(readVersion === 0 ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': readVersion } }),
    },
  };
}
