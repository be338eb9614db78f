// The records of the inter-provincial domain (跨省通办, domain.md §5), pure types and constructors.
//
//  - Partner: another center (code, callback URL, API base URL, shared secret). The secret is stored
//    sealed (shared/secrets.ts, context `partnerSecretContext`): only the functions that sign and
//    verify can open it, and only for that center.
//  - InboundRequest: a partner's request to us, RECEIVED → PROCESSING → COMPLETED | REJECTED.
//  - Transfer: a TRANSFER_REQUEST we send to a partner for a member who moved here,
//    QUEUED → SENT → COMPLETED | REJECTED (COMPLETED credits the member once). Our staff may withdraw
//    it until the partner accepts (domain.md §5): QUEUED | SENT → CANCELLING (our TRANSFER_CANCEL is
//    on its way; the transfer request itself is withdrawn from our outbox if it was not sent yet) →
//    CANCELLED when the partner confirms (its callback of our cancel COMPLETED, or of the original
//    REJECTED with code CANCELLED), or back to what it was when the partner answers ALREADY_ACCEPTED
//    (then its COMPLETED callback credits as usual). CANCELLED is final: no later callback credits.
//  - OutboxMessage: a signed POST that must follow a commit (a callback, our transfer request):
//    written in the transaction that decides it, relayed by the outbound worker, re-sent by the sweeper.
// A record that must be relayed carries `dueAt`: if it is still pending then, the sweeper re-sends it.
import { isoAfter } from '../../../shared/clock.ts';

export const REQUEST_TYPES = [
  'BALANCE_INQUIRY',
  'DEPOSIT_CERTIFICATE',
  'TRANSFER_REQUEST',
  'RETIREMENT_WITHDRAWAL',
  'PURCHASE_WITHDRAWAL',
  'LOAN_PAYOFF_CERTIFICATE',
  'FULL_PREPAYMENT',
  'TRANSFER_CANCEL',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATUSES = ['RECEIVED', 'PROCESSING', 'COMPLETED', 'REJECTED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type TransferStatus = 'QUEUED' | 'SENT' | 'CANCELLING' | 'CANCELLED' | 'COMPLETED' | 'REJECTED';
export const isFinalTransfer = (s: TransferStatus) => s === 'COMPLETED' || s === 'REJECTED' || s === 'CANCELLED';

export interface Rejection {
  code: string;
  message: string;
}

export interface Partner {
  centerCode: string;
  name: string;
  callbackUrl: string;
  apiBaseUrl?: string;
  /** The partner center's settlement account: a transfer out (TRANSFER_REQUEST we complete) is paid to it (api.md v1.1). */
  settlementAccount?: string;
  /** The shared secret sealed under `partnerSecretContext(centerCode)`: never the secret itself. */
  sealedSecret: string;
  createdAt: string;
  updatedAt: string;
}

export interface InboundRequest {
  trackingId: string;
  /** The partner's center code. */
  partner: string;
  requestId: string;
  type: RequestType;
  /** The canonical payload; every type but TRANSFER_CANCEL (`{ requestId }`) names the member. */
  payload: { idNumber?: string; name?: string } & Record<string, unknown>;
  /**
   * The FIFO group the request is processed in (a digest of it is sent, never the value): the member's
   * ID number, or for a TRANSFER_CANCEL the cancelled request (`CANCEL:<partner>:<requestId>`).
   * Absent on records of before: the payload's ID number.
   */
  group?: string;
  /** PURCHASE_WITHDRAWAL under staff review: our withdrawal; the request stays PROCESSING until it is decided. */
  withdrawalId?: string;
  /** SHA-256 of the canonical body: the same requestId with another body is refused. */
  requestHash: string;
  status: RequestStatus;
  /** The answer as sent to the partner (yuan strings). */
  result?: Record<string, unknown>;
  rejection?: Rejection;
  /** A completed TRANSFER_REQUEST: the payment order of the amount to the partner's settlement account, and its bank result. */
  payment?: TransferPayment;
  receivedAt: string;
  updatedAt: string;
  completedAt?: string;
  /** Set while not final: the sweeper re-dispatches the request after this instant. */
  dueAt?: string;
  sweeps?: number;
}

/** The payment of a transfer out to the receiving center (api.md v1.1 "Banks and settlement"). */
export interface TransferPayment {
  paymentId: string;
  status: 'ORDERED' | 'SETTLED' | 'FAILED';
  amountFen: number;
  payeeAccount: string;
  orderedAt: string;
  bankRef?: string;
  settledAt?: string;
  failure?: { code: string; message: string };
  resultAt?: string;
}

export interface Transfer {
  transferId: string;
  idNumber: string;
  name: string;
  fromCenter: string;
  toAccountNo: string;
  /** Branch of the receiving account (staff scoping). */
  branch: string;
  status: TransferStatus;
  /** CANCELLING: the status to go back to when the partner answers ALREADY_ACCEPTED. */
  statusBeforeCancel?: 'QUEUED' | 'SENT';
  /** Our staff member who asked to cancel, and when. */
  cancelRequestedBy?: string;
  cancelRequestedAt?: string;
  /** The partner's refusal of our cancel (ALREADY_ACCEPTED), kept for staff. */
  cancelRejection?: Rejection;
  /** The partner's tracking id once it accepted our request. */
  theirTrackingId?: string;
  amountFen?: number;
  rejection?: Rejection;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
}

export type OutboxKind = 'CALLBACK' | 'TRANSFER_REQUEST' | 'TRANSFER_CANCEL';

export interface OutboxMessage {
  outboxId: string;
  kind: OutboxKind;
  /** Partner center code (its secret signs the message). */
  partner: string;
  /** CALLBACK: the partner's callbackUrl; TRANSFER_REQUEST, TRANSFER_CANCEL: its apiBaseUrl + this path. */
  path?: string;
  /** The exact JSON text to POST. */
  body: string;
  /** trackingId (CALLBACK) or transferId (TRANSFER_REQUEST, TRANSFER_CANCEL). */
  ref: string;
  /** WITHDRAWN: a transfer request cancelled before it was delivered (never sent from then on). */
  status: 'PENDING' | 'DELIVERED' | 'WITHDRAWN';
  createdAt: string;
  deliveredAt?: string;
  dueAt?: string;
  /** How many times the sweeper re-sent it. */
  sweeps?: number;
  /** A worker is sending it until then (a claim taken before the POST): nobody else sends it meanwhile. */
  sendingUntil?: string;
}

/** The encryption context a partner's secret is sealed under: bound to that center, for that purpose. */
export const partnerSecretContext = (centerCode: string) => ({ purpose: 'partner-secret', subject: centerCode }) as const;

export const isFinal = (s: RequestStatus) => s === 'COMPLETED' || s === 'REJECTED';

/** Seconds after which a record still pending is re-sent by the sweeper, doubling per sweep (capped). */
export const RELAY_AFTER_SECONDS = 30;
export const RELAY_BACKOFF_CAP_SECONDS = 3600;
export const relayDueAt = (now: Date, sweeps = 0) => isoAfter(now, Math.min(RELAY_BACKOFF_CAP_SECONDS, RELAY_AFTER_SECONDS * 2 ** sweeps) * 1000);

export const REQUESTS_PATH = '/v1/interprovincial/requests';

/** The callback a partner receives when its request is final (api.md). */
export function callbackOutbox(r: InboundRequest, now: Date): OutboxMessage {
  const body = JSON.stringify({ trackingId: r.trackingId, requestId: r.requestId, type: r.type, status: r.status, result: r.result, rejection: r.rejection });
  return { outboxId: `CB-${r.trackingId}`, kind: 'CALLBACK', partner: r.partner, body, ref: r.trackingId, status: 'PENDING', createdAt: now.toISOString(), dueAt: relayDueAt(now) };
}

/** Our TRANSFER_REQUEST to the partner that holds the member's money. */
export function transferOutbox(t: Transfer, now: Date): OutboxMessage {
  const body = JSON.stringify({ requestId: t.transferId, type: 'TRANSFER_REQUEST', payload: { idNumber: t.idNumber, name: t.name } });
  return { outboxId: `TR-${t.transferId}`, kind: 'TRANSFER_REQUEST', partner: t.fromCenter, path: REQUESTS_PATH, body, ref: t.transferId, status: 'PENDING', createdAt: now.toISOString(), dueAt: relayDueAt(now) };
}

/** The requestId of our TRANSFER_CANCEL of transfer `transferId` (its callback names it). */
export const cancelRequestIdOf = (transferId: string) => `${transferId}.CANCEL`;
/** The transfer a callback's requestId names: the transfer itself, or the transfer our cancel withdraws. */
export const transferIdOfRequestId = (requestId: string) => (requestId.endsWith('.CANCEL') ? requestId.slice(0, -'.CANCEL'.length) : requestId);

/** Our TRANSFER_CANCEL of a transfer request we sent (api.md v1.1). */
export function transferCancelOutbox(t: Transfer, now: Date): OutboxMessage {
  const body = JSON.stringify({ requestId: cancelRequestIdOf(t.transferId), type: 'TRANSFER_CANCEL', payload: { requestId: t.transferId } });
  return { outboxId: `TC-${t.transferId}`, kind: 'TRANSFER_CANCEL', partner: t.fromCenter, path: REQUESTS_PATH, body, ref: t.transferId, status: 'PENDING', createdAt: now.toISOString(), dueAt: relayDueAt(now) };
}

/** The FIFO group of a request (see InboundRequest.group). */
export const groupOf = (r: Pick<InboundRequest, 'group' | 'payload'>) => r.group ?? String(r.payload.idNumber ?? '');

/** Seconds between two looks of the sweeper at a withdrawal under staff review (not doubling: staff decide within days). */
export const REVIEW_POLL_SECONDS = 60;
