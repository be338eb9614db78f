// The interprovincial table: the only code that knows its keys, indexes and conditions.
//
// Keys (table `interprovincial`):
//   PARTNER#<centerCode>         / PARTNER   partner registry; the shared secret only sealed
//                                            (`sealedSecret`, shared/secrets.ts); `sharedSecret`, the
//                                            plaintext of before, is read to be sealed, never written
//   NONCE#<center>#<nonce>       / NONCE     a nonce seen, with `expiresAt` (compared here: DynamoDB
//                                            Local never expires TTL items)
//   REQID#<center>#<requestId>   / REQID     uniqueness of a partner's request id → trackingId; or,
//                                            reserved by a TRANSFER_CANCEL that arrived before the
//                                            request it cancels (`cancelledBy`, no trackingId)
//   REQ#<trackingId>             / REQ       an inbound request
//       gsi1: IREQ#<status> / <receivedAt>#<trackingId>     staff list by status
//   TR#<transferId>              / TR        a transfer we requested from a partner
//   OUT#<outboxId>               / OUT       an outbox message (callback, our request)
//   gsi2 (sparse, every record still to be relayed): PENDING / <dueAt>#<pk>   the sweeper's work list
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, decodeCursor, encodeCursor, getItem, indexKeys, invalidCursor, stripKeys, transitionFrom, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { TIMESTAMP_WINDOW_SECONDS } from '../../shared/signature.ts';
import type { InboundRequest, OutboxMessage, Partner, RequestStatus, Transfer } from './domain/types.ts';

const T = () => tableName('interprovincial');
const partnerKey = (code: string) => ({ pk: `PARTNER#${code}`, sk: 'PARTNER' });
const nonceKey = (center: string, nonce: string) => ({ pk: `NONCE#${center}#${nonce}`, sk: 'NONCE' });
const requestIdKey = (center: string, requestId: string) => ({ pk: `REQID#${center}#${requestId}`, sk: 'REQID' });
const requestKey = (trackingId: string) => ({ pk: `REQ#${trackingId}`, sk: 'REQ' });
const transferKey = (transferId: string) => ({ pk: `TR#${transferId}`, sk: 'TR' });
const outboxKey = (outboxId: string) => ({ pk: `OUT#${outboxId}`, sk: 'OUT' });
const statusPk = (s: RequestStatus) => `IREQ#${s}`;
const PENDING = 'PENDING';
/** A nonce is remembered as long as any timestamp it could be sent with is acceptable. */
const NONCE_TTL_SECONDS = 2 * TIMESTAMP_WINDOW_SECONDS;

/** A record as handed out: without its keys, index attributes and a nonce's expiry. */
const strip = <T>(item: Record<string, unknown>): T => stripKeys<T>(item, ['expiresAt']);
const get = <T>(key: { pk: string; sk: string }) => getItem<T>(T(), key, ['expiresAt']);
/** The relay index attributes of a record that is still pending. */
const pendingIndex = (pk: string, dueAt: string | undefined) => (dueAt ? { gsi2pk: PENDING, gsi2sk: `${dueAt}#${pk}` } : {});

// ---------- partners ----------

/** A partner as stored: `plaintextSecret` when its record still holds a secret of before sealing. */
export type StoredPartner = Omit<Partner, 'sealedSecret'> & { sealedSecret?: string; plaintextSecret?: string };

export async function getPartner(code: string): Promise<StoredPartner | undefined> {
  const item = await get<StoredPartner & { sharedSecret?: unknown }>(partnerKey(code));
  if (!item) return undefined;
  const { sharedSecret, ...rest } = item;
  return typeof sharedSecret === 'string' && !rest.sealedSecret ? { ...rest, plaintextSecret: sharedSecret } : rest;
}

/**
 * Creates (`previous` undefined) or replaces the partner as read. The item is written field by field:
 * the sealed secret, never a plaintext one (a record of before loses its `sharedSecret` here).
 */
export function putPartnerItem(p: Partner, previous?: Pick<Partner, 'updatedAt'>): TxItem {
  const item: Partner = { centerCode: p.centerCode, name: p.name, callbackUrl: p.callbackUrl, ...(p.apiBaseUrl ? { apiBaseUrl: p.apiBaseUrl } : {}), ...(p.settlementAccount ? { settlementAccount: p.settlementAccount } : {}), sealedSecret: p.sealedSecret, createdAt: p.createdAt, updatedAt: p.updatedAt };
  return {
    Put: {
      TableName: T(),
      Item: { ...partnerKey(p.centerCode), ...item },
      ...(previous
        ? { ConditionExpression: 'updatedAt = :u', ExpressionAttributeValues: { ':u': previous.updatedAt } }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
}

// ---------- nonces and request ids ----------

export async function nonceSeen(center: string, nonce: string, nowSeconds: number): Promise<boolean> {
  const item = await getItem<Record<string, unknown>>(T(), nonceKey(center, nonce));
  return !!item && Number(item.expiresAt) >= nowSeconds;
}

export function nonceItem(center: string, nonce: string, nowSeconds: number): TxItem {
  return {
    Put: {
      TableName: T(),
      Item: { ...nonceKey(center, nonce), expiresAt: nowSeconds + NONCE_TTL_SECONDS },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': nowSeconds },
    },
  };
}

/** A partner's request id as claimed: by its request (`trackingId`), or reserved by the cancel `cancelledBy` of a request never received. */
export type RequestIdClaim = { trackingId: string; requestHash: string; cancelledBy?: undefined } | { trackingId?: undefined; requestHash?: undefined; cancelledBy: string };

export async function getRequestIdClaim(center: string, requestId: string): Promise<RequestIdClaim | undefined> {
  const item = await get<Record<string, unknown>>(requestIdKey(center, requestId));
  if (!item) return undefined;
  if (typeof item.cancelledBy === 'string') return { cancelledBy: item.cancelledBy };
  return { trackingId: item.trackingId as string, requestHash: item.requestHash as string };
}

/** Reserves a partner's request id that was cancelled before it arrived (TRANSFER_CANCEL `cancelTrackingId`). */
export const cancelledRequestIdItem = (center: string, requestId: string, cancelTrackingId: string): TxItem => ({
  Put: { TableName: T(), Item: { ...requestIdKey(center, requestId), cancelledBy: cancelTrackingId }, ConditionExpression: 'attribute_not_exists(pk)' },
});

// ---------- inbound requests ----------

export const getRequest = (trackingId: string) => get<InboundRequest>(requestKey(trackingId));

function requestItem(r: InboundRequest) {
  const key = requestKey(r.trackingId);
  return { ...key, ...r, gsi1pk: statusPk(r.status), gsi1sk: `${r.receivedAt}#${r.trackingId}`, ...pendingIndex(key.pk, r.dueAt) };
}

/** A new request and the uniqueness of its (partner, requestId). */
export function newRequestItems(r: InboundRequest): TxItem[] {
  return [
    { Put: { TableName: T(), Item: { ...requestIdKey(r.partner, r.requestId), trackingId: r.trackingId, requestHash: r.requestHash }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: T(), Item: requestItem(r), ConditionExpression: 'attribute_not_exists(pk)' } },
  ];
}

/** Replaces a COMPLETED request whose payment must still be ORDERED (a payment result applies once). */
export const putRequestPaymentItem = (r: InboundRequest): TxItem => ({
  Put: { TableName: T(), Item: requestItem(r), ConditionExpression: '#s = :done AND #p.#s = :ordered', ExpressionAttributeNames: { '#s': 'status', '#p': 'payment' }, ExpressionAttributeValues: { ':done': 'COMPLETED', ':ordered': 'ORDERED' } },
});

/** Replaces a request that must still have status `expect`. */
export const putRequestItem = (r: InboundRequest, expect: RequestStatus): TxItem => ({ Put: { TableName: T(), Item: requestItem(r), ...transitionFrom(expect) } });

/** One page of the requests with a status, newest first. */
export async function listRequestsByStatus(status: RequestStatus, limit: number, cursor?: Record<string, unknown>) {
  const out = await ddb.send(
    new QueryCommand({
      TableName: T(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': statusPk(status) },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: cursor,
    }),
  );
  return { items: (out.Items ?? []).map((i) => strip<InboundRequest>(i)), lastKey: out.LastEvaluatedKey };
}

const STATUS_KEY_NAMES = indexKeys('gsi1');

/** The page cursor that continues after request `r` in its status partition (kernel encoding of its key). */
export const requestCursor = (r: InboundRequest): string => encodeCursor({ ...requestKey(r.trackingId), gsi1pk: statusPk(r.status), gsi1sk: `${r.receivedAt}#${r.trackingId}` })!;

/**
 * A page cursor back into the status partition it was taken from, one of `statuses` (kernel semantics:
 * a forged cursor or one from another list is 400 VALIDATION_FAILED, never a query).
 */
export function requestCursorKey(cursor: string, statuses: readonly RequestStatus[]): { status: RequestStatus; key: Record<string, unknown> } {
  const key = decodeCursor(cursor, STATUS_KEY_NAMES)!;
  const status = statuses.find((s) => statusPk(s) === key.gsi1pk);
  if (!status || key.pk !== `REQ#${String(key.gsi1sk).split('#').pop()}` || key.sk !== 'REQ') invalidCursor();
  return { status, key };
}

// ---------- transfers ----------

export const getTransfer = (transferId: string) => get<Transfer>(transferKey(transferId));

/** Puts a transfer: new (`expect` undefined) or one that must still have status `expect`. */
export function putTransferItem(t: Transfer, expect?: Transfer['status']): TxItem {
  return { Put: { TableName: T(), Item: { ...transferKey(t.transferId), ...t }, ...transitionFrom(expect) } };
}

// ---------- outbox ----------

export const getOutbox = (outboxId: string) => get<OutboxMessage>(outboxKey(outboxId));

/** Puts an outbox message: new (`expect` undefined) or one that must still have status `expect`. */
export function putOutboxItem(m: OutboxMessage, expect?: OutboxMessage['status']): TxItem {
  const key = outboxKey(m.outboxId);
  return { Put: { TableName: T(), Item: { ...key, ...m, ...pendingIndex(key.pk, m.dueAt) }, ...transitionFrom(expect) } };
}

/**
 * The claim of an outbox message's send (a lease `sendingUntil`): written only while it is PENDING and
 * nobody holds a live claim (none, or one that ended before `now`), so two workers (a redelivery, the
 * sweeper's message) never send it at once. `held`: the claim being released (only that one is).
 */
export function claimOutboxItem(m: OutboxMessage, now: string, held?: string): TxItem {
  const key = outboxKey(m.outboxId);
  return {
    Put: {
      TableName: T(),
      Item: { ...key, ...m, ...pendingIndex(key.pk, m.dueAt) },
      ConditionExpression: held ? '#s = :pending AND sendingUntil = :held' : '#s = :pending AND (attribute_not_exists(sendingUntil) OR sendingUntil < :now)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: held ? { ':pending': 'PENDING', ':held': held } : { ':pending': 'PENDING', ':now': now },
    },
  };
}

// ---------- relay (sweeper) ----------

export type PendingRef = { kind: 'REQUEST'; trackingId: string } | { kind: 'OUTBOX'; outboxId: string };

/**
 * One page of the records still pending whose relay is due at `now`, oldest first; `partner` keeps
 * only that partner's (an operator relaying one partner; a test relaying only its own records).
 * `start`/`lastKey` page on (records re-armed meanwhile have left the range).
 */
export async function pendingDue(now: Date, limit: number, opts: { partner?: string; start?: Record<string, unknown> } = {}): Promise<{ refs: PendingRef[]; lastKey?: Record<string, unknown> }> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: T(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :p AND gsi2sk <= :due',
      ...(opts.partner ? { FilterExpression: 'partner = :partner' } : {}),
      ExpressionAttributeValues: { ':p': PENDING, ':due': `${now.toISOString()}#~`, ...(opts.partner ? { ':partner': opts.partner } : {}) },
      Limit: limit,
      ExclusiveStartKey: opts.start,
    }),
  );
  const refs = (out.Items ?? []).map((i): PendingRef =>
    String(i.pk).startsWith('REQ#') ? { kind: 'REQUEST', trackingId: i.trackingId as string } : { kind: 'OUTBOX', outboxId: i.outboxId as string },
  );
  return { refs, lastKey: out.LastEvaluatedKey };
}
