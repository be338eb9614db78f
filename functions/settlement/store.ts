// The settlement table: the only code that knows its keys, indexes and conditions.
//
// Keys (table `settlement`):
//   BANK#<bankCode>                / BANK     a bank (secret only sealed)       gsi1: BANKS / <bankCode>
//   NONCE#<bank>#<nonce>           / NONCE    a nonce seen, `expiresAt` (compared here)
//   NOTICE#<bank>#<notificationId> / NOTICE   an arrival notice and the answer it got
//                                              gsi1: NOTICES#<bank>#<accountNo>#<valueDate> / <notificationId>   (reconciliation)
//   SUSP#<itemId>                  / SUSP     a suspense item               gsi1: SUSP#<status> / <receivedAt>#<itemId>   (lists; old OPEN items)
//   PAY#<paymentId>                / PAY      a payment order               gsi1: PAYS#<status> / <orderedAt>#<paymentId> (lists; old ORDERED orders)
//       gsi2 (sparse, orders not yet acknowledged by their bank): PAYPENDING / <dueAt>#<paymentId>
//       gsi2 (settled orders, for reconciliation): PAYSETTLED#<bank>#<fromAccountNo>#<settled business date> / <paymentId>
//   RECON#<runId>                  / RECON    a bank reconciliation run (its accounts and findings)
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, getItem, indexKeys, queryAll, queryPage, stripKeys, transitionFrom, type Page, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { businessDate } from '../../shared/clock.ts';
import { TIMESTAMP_WINDOW_SECONDS } from '../../shared/signature.ts';
import type { Bank, Notice, PaymentOrder, PaymentStatus, ReconciliationRun, SuspenseItem, SuspenseStatus } from './domain/types.ts';

const T = () => tableName('settlement');
const bankKey = (code: string) => ({ pk: `BANK#${code}`, sk: 'BANK' });
const nonceKey = (bank: string, nonce: string) => ({ pk: `NONCE#${bank}#${nonce}`, sk: 'NONCE' });
const noticeKey = (bank: string, id: string) => ({ pk: `NOTICE#${bank}#${id}`, sk: 'NOTICE' });
const suspenseKey = (id: string) => ({ pk: `SUSP#${id}`, sk: 'SUSP' });
const paymentKey = (id: string) => ({ pk: `PAY#${id}`, sk: 'PAY' });
const BANKS = 'BANKS';
const PENDING = 'PAYPENDING';
const NONCE_TTL_SECONDS = 2 * TIMESTAMP_WINDOW_SECONDS;

/** A record as handed out: without its keys, index attributes and a nonce's expiry. */
const strip = <X>(item: Record<string, unknown>): X => stripKeys<X>(item, ['expiresAt']);
const get = <X>(key: { pk: string; sk: string }) => getItem<X>(T(), key, ['expiresAt']);

// ---------- banks ----------

export const getBank = (code: string) => get<Bank>(bankKey(code));

/** Every registered bank (a city has a handful). */
export async function listBanks(): Promise<Bank[]> {
  const items = await queryAll({ TableName: T(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': BANKS } });
  return items.map((i) => strip<Bank>(i));
}

/** Creates (`previous` undefined) or replaces the bank as read. Written field by field: the sealed secret only. */
export function putBankItem(b: Bank, previous?: Pick<Bank, 'updatedAt'>): TxItem {
  const item: Bank = { bankCode: b.bankCode, name: b.name, apiBaseUrl: b.apiBaseUrl, sealedSecret: b.sealedSecret, accounts: b.accounts, createdAt: b.createdAt, updatedAt: b.updatedAt };
  return {
    Put: {
      TableName: T(),
      Item: { ...bankKey(b.bankCode), ...item, gsi1pk: BANKS, gsi1sk: b.bankCode },
      ...(previous ? { ConditionExpression: 'updatedAt = :u', ExpressionAttributeValues: { ':u': previous.updatedAt } } : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
}

// ---------- nonces ----------

export async function nonceSeen(bank: string, nonce: string, nowSeconds: number): Promise<boolean> {
  const item = await getItem<Record<string, unknown>>(T(), nonceKey(bank, nonce));
  return !!item && Number(item.expiresAt) >= nowSeconds;
}

export const nonceItem = (bank: string, nonce: string, nowSeconds: number): TxItem => ({
  Put: {
    TableName: T(),
    Item: { ...nonceKey(bank, nonce), expiresAt: nowSeconds + NONCE_TTL_SECONDS },
    ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
    ExpressionAttributeValues: { ':now': nowSeconds },
  },
});

// ---------- notices ----------

export const getNotice = (bank: string, notificationId: string) => get<Notice>(noticeKey(bank, notificationId));

/** A notice, once: a concurrent twin's commit fails this condition and re-plans into the stored answer. */
const noticesOfDay = (bank: string, accountNo: string, date: string) => `NOTICES#${bank}#${accountNo}#${date}`;
export const newNoticeItem = (n: Notice): TxItem => ({
  Put: { TableName: T(), Item: { ...noticeKey(n.bankCode, n.notificationId), ...n, gsi1pk: noticesOfDay(n.bankCode, n.accountNo, n.valueDate), gsi1sk: n.notificationId }, ConditionExpression: 'attribute_not_exists(pk)' },
});

/** The arrival notices of a bank's account value-dated `date` (every one recorded, matched or in suspense). */
export async function noticesOn(bank: string, accountNo: string, date: string): Promise<Notice[]> {
  const items = await queryAll({ TableName: T(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': noticesOfDay(bank, accountNo, date) } });
  return items.map((i) => strip<Notice>(i));
}

// ---------- suspense ----------

const suspenseIndex = (s: SuspenseItem) => ({ gsi1pk: `SUSP#${s.status}`, gsi1sk: `${s.receivedAt}#${s.itemId}` });

export const getSuspense = (itemId: string) => get<SuspenseItem>(suspenseKey(itemId));

/** Puts a suspense item: new (`expect` undefined) or one that must still have status `expect`. */
export const putSuspenseItem = (s: SuspenseItem, expect?: SuspenseStatus): TxItem => ({
  Put: {
    TableName: T(),
    Item: { ...suspenseKey(s.itemId), ...s, ...suspenseIndex(s) },
    ...transitionFrom(expect),
  },
});

/** OPEN suspense items received before the instant `before` (ISO), oldest first (the reconciliation's old items). */
export async function openSuspenseReceivedBefore(before: string): Promise<SuspenseItem[]> {
  const items = await queryAll({ TableName: T(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :b', ExpressionAttributeValues: { ':p': 'SUSP#OPEN', ':b': before } });
  return items.map((i) => strip<SuspenseItem>(i));
}

// ---------- payment orders ----------

const paymentIndex = (p: PaymentOrder) => ({
  gsi1pk: `PAYS#${p.status}`,
  gsi1sk: `${p.orderedAt}#${p.paymentId}`,
  ...(p.delivery === 'PENDING' && p.status === 'ORDERED' && p.dueAt ? { gsi2pk: PENDING, gsi2sk: `${p.dueAt}#${p.paymentId}` } : {}),
  ...(p.status === 'SETTLED' ? { gsi2pk: settledOfDay(p.bankCode, p.fromAccountNo, businessDate(p.settledAt ?? p.resultAt ?? p.orderedAt)), gsi2sk: p.paymentId } : {}),
});
const settledOfDay = (bank: string, accountNo: string, date: string) => `PAYSETTLED#${bank}#${accountNo}#${date}`;

/** The payment orders of a bank's account settled on business date `date` (by the bank's settledAt). */
export async function paymentsSettledOn(bank: string, accountNo: string, date: string): Promise<PaymentOrder[]> {
  const items = await queryAll({ TableName: T(), IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': settledOfDay(bank, accountNo, date) } });
  return items.map((i) => strip<PaymentOrder>(i));
}

export const getPayment = (paymentId: string) => get<PaymentOrder>(paymentKey(paymentId));

/** Puts a payment order: new (`expect` undefined: once per paymentId) or one as read (its status and delivery). */
export const putPaymentItem = (p: PaymentOrder, expect?: Pick<PaymentOrder, 'status' | 'delivery' | 'attempts' | 'sendingUntil'>): TxItem => ({
  Put: {
    TableName: T(),
    Item: { ...paymentKey(p.paymentId), ...p, ...paymentIndex(p) },
    ...(expect
      ? {
          // the send lease is part of the condition: of two workers claiming the same send, one wins
          ConditionExpression: `#s = :s AND delivery = :d AND attempts = :a AND ${expect.sendingUntil === undefined ? 'attribute_not_exists(sendingUntil)' : 'sendingUntil = :su'}`,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': expect.status, ':d': expect.delivery, ':a': expect.attempts, ...(expect.sendingUntil === undefined ? {} : { ':su': expect.sendingUntil }) },
        }
      : { ConditionExpression: 'attribute_not_exists(pk)' }),
  },
});

/** Payment orders still ORDERED (no result) ordered before the instant `before` (ISO), oldest first (the reconciliation's old items). */
export async function orderedPaymentsBefore(before: string): Promise<PaymentOrder[]> {
  const items = await queryAll({ TableName: T(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :b', ExpressionAttributeValues: { ':p': 'PAYS#ORDERED', ':b': before } });
  return items.map((i) => strip<PaymentOrder>(i));
}

/** The payment ids of unacknowledged orders whose re-send is due at `now`, oldest due first. */
export async function pendingPayments(now: Date, limit: number, start?: Record<string, unknown>): Promise<{ ids: string[]; lastKey?: Record<string, unknown> }> {
  const out = await ddb.send(
    new QueryCommand({ TableName: T(), IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :p AND gsi2sk <= :due', ExpressionAttributeValues: { ':p': PENDING, ':due': `${now.toISOString()}#~` }, Limit: limit, ExclusiveStartKey: start }),
  );
  return { ids: (out.Items ?? []).map((i) => i.paymentId as string), lastKey: out.LastEvaluatedKey };
}

// ---------- lists (oldest first, kernel cursors) ----------

const listIndex = <X>(gsi1pk: string, pkPrefix: string, limit: number, cursor: string | undefined): Promise<Page<X>> =>
  queryPage({
    query: { TableName: T(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': gsi1pk }, ScanIndexForward: true },
    keys: indexKeys('gsi1'),
    partition: { gsi1pk },
    belongs: (key) => String(key.pk).startsWith(pkPrefix),
    limit,
    cursor,
    item: (i) => strip<X>(i),
  });

export const listPayments = (status: PaymentStatus, limit: number, cursor?: string) => listIndex<PaymentOrder>(`PAYS#${status}`, 'PAY#', limit, cursor);
export const listSuspense = (status: SuspenseStatus, limit: number, cursor?: string) => listIndex<SuspenseItem>(`SUSP#${status}`, 'SUSP#', limit, cursor);

// ---------- reconciliation runs ----------

const runKey = (runId: string) => ({ pk: `RECON#${runId}`, sk: 'RECON' });

/** A run as finished (a run of the same id again — the schedule re-run for its day — replaces it). */
export const putRunItem = (r: ReconciliationRun): TxItem => ({ Put: { TableName: T(), Item: { ...runKey(r.runId), ...r } } });

export const getRun = (runId: string) => get<ReconciliationRun>(runKey(runId));
