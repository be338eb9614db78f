// The withdrawals table: the only code that knows its keys, index and conditions.
//
// Keys (table `withdrawals`):
//   W#<withdrawalId>        / W       the withdrawal and its archive (evidence, hash, decisions)
//       gsi1: ACCW#<accountNo> / <submittedAt>#<withdrawalId>   withdrawals of an account, by time
//   CLAIM#PROPERTY#<certNo> / CLAIM   what was claimed and paid against a property, by anyone
//   CLAIM#PERMIT#<permitNo> / CLAIM   the same for a building permit (BUILD_REPAIR)
//       gsi2: CLAIMS#<shard 00-15> / <kind>#<docNo>           every claim, for the audit (16 shards)
//   withdrawals also: gsi2: WREASON#<reason>#<year> / <submittedAt>#<id>   by reason and year (audit)
//       gsi3: WREVIEW#PENDING_REVIEW / <submittedAt>#<id>   the review queue, oldest first; only while
//             PENDING_REVIEW (a decision writes the record without it, so it leaves the queue). One
//             partition city-wide: the queue is small (staff decide within 3 days) and city staff read
//             it whole in submission order; a branch reads it filtered on the record's `branch`.
// A claim is written with a condition on the version read, so concurrent claims on one property
// cannot exceed its cap: the loser re-plans from fresh reads.
import { createHash } from 'node:crypto';
import { getItem, indexKeys, partitionPage, queryAll, queryPage, queuePage, stripKeys, transitionFrom, type Page, type PageRange, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import type { SpendingClaim, SpendingRef, Withdrawal } from './domain/withdrawal.ts';

const T = () => tableName('withdrawals');
const withdrawalKey = (withdrawalId: string) => ({ pk: `W#${withdrawalId}`, sk: 'W' });
const claimKey = (ref: SpendingRef) => ({ pk: `CLAIM#${ref.kind}#${ref.docNo}`, sk: 'CLAIM' });
const accountIndexPk = (accountNo: string) => `ACCW#${accountNo}`;
const reasonYearPk = (reason: string, year: number | string) => `WREASON#${reason}#${year}`;
const REVIEW_QUEUE_PK = 'WREVIEW#PENDING_REVIEW';
export const CLAIM_SHARDS = 16;
const claimShardPk = (shard: number) => `CLAIMS#${String(shard).padStart(2, '0')}`;
const claimShard = (ref: SpendingRef) => createHash('sha256').update(`${ref.kind}#${ref.docNo}`).digest()[0] % CLAIM_SHARDS;

const strip = <T>(item: Record<string, unknown>): T => stripKeys<T>(item);

export const getWithdrawal = (withdrawalId: string) => getItem<Withdrawal>(T(), withdrawalKey(withdrawalId));

export const getClaim = (ref: SpendingRef) => getItem<SpendingClaim>(T(), claimKey(ref));

/** Withdrawals of an account, newest first. */
export const listWithdrawalsOfAccount = (accountNo: string, limit: number, cursor?: string): Promise<Page<Withdrawal>> =>
  queryPage({
    query: { TableName: T(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': accountIndexPk(accountNo) }, ScanIndexForward: false },
    keys: indexKeys('gsi1'),
    partition: { gsi1pk: accountIndexPk(accountNo) },
    limit,
    cursor,
  });

const REVIEW_QUEUE_READ = 100;

/** The review queue, oldest first: every PENDING_REVIEW withdrawal, or those of one branch (the kernel's queuePage). */
export const listReviewQueue = (branch: string | undefined, limit: number, cursor?: string): Promise<Page<Withdrawal>> =>
  queuePage({ table: T(), index: 'gsi3', pk: REVIEW_QUEUE_PK, branch, limit, cursor, fill: REVIEW_QUEUE_READ });

/** A page of the claim items (property or permit) of one claim shard (0 … CLAIM_SHARDS−1), by document. */
export const claimsOfShardPage = (shard: number, range: PageRange): Promise<Page<SpendingClaim>> => partitionPage({ table: T(), index: 'gsi2', pk: claimShardPk(shard), range, item: (i) => strip<SpendingClaim>(i) });

/** A page of the withdrawals of one reason submitted in one calendar year, by submission. */
export const withdrawalsByReasonAndYearPage = (reason: string, year: number, range: PageRange): Promise<Page<Withdrawal>> => partitionPage({ table: T(), index: 'gsi2', pk: reasonYearPk(reason, year), range, item: (i) => strip<Withdrawal>(i) });

/** Every withdrawal of an account (bounded: one member's). */
export async function allWithdrawalsOfAccount(accountNo: string): Promise<Withdrawal[]> {
  return (await queryAll({ TableName: T(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :v', ExpressionAttributeValues: { ':v': accountIndexPk(accountNo) } })).map((i) => strip<Withdrawal>(i));
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
        gsi2pk: reasonYearPk(w.reason, w.submittedAt.slice(0, 4)),
        gsi2sk: `${w.submittedAt}#${w.withdrawalId}`,
        ...(w.status === 'PENDING_REVIEW' ? { gsi3pk: REVIEW_QUEUE_PK, gsi3sk: `${w.submittedAt}#${w.withdrawalId}` } : {}),
        ...w,
      },
      ...transitionFrom(expectStatus),
    },
  };
}

/**
 * Puts a withdrawal after its bank's result: only while it is still PAID with payment `paymentId`
 * ORDERED (a result applies once).
 */
export function putWithdrawalPaymentResultItem(w: Withdrawal, paymentId: string): TxItem {
  const put = putWithdrawalItem(w).Put!;
  return {
    Put: {
      TableName: put.TableName,
      Item: put.Item,
      ConditionExpression: '#s = :paid AND #pay.#pid = :pid AND #pay.#ps = :ordered',
      ExpressionAttributeNames: { '#s': 'status', '#pay': 'payment', '#pid': 'paymentId', '#ps': 'status' },
      ExpressionAttributeValues: { ':paid': 'PAID', ':pid': paymentId, ':ordered': 'ORDERED' },
    },
  };
}

/** Puts a claim conditioned on the version it was read at (`next.version - 1`; 0 = it did not exist). */
export function putClaimItem(next: SpendingClaim): TxItem {
  const readVersion = next.version - 1;
  return {
    Put: {
      TableName: T(),
      Item: { ...claimKey(next), gsi2pk: claimShardPk(claimShard(next)), gsi2sk: `${next.kind}#${next.docNo}`, ...next },
      ...(readVersion === 0 ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': readVersion } }),
    },
  };
}
