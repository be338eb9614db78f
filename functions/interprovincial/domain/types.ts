// The records of the inter-provincial domain (跨省通办, domain.md §5), pure types and constructors.
//
//  - Partner: another center (code, callback URL, API base URL, shared secret). The secret is stored
//    sealed (shared/secrets.ts, context `partnerSecretContext`): only the functions that sign and
//    verify can open it, and only for that center.
//  - InboundRequest: a partner's request to us, RECEIVED → PROCESSING → COMPLETED | REJECTED.
//  - Transfer: a TRANSFER_REQUEST we send to a partner for a member who moved here,
//    QUEUED → SENT → COMPLETED | REJECTED (COMPLETED credits the member once).
//  - OutboxMessage: a signed POST that must follow a commit (a callback, our transfer request):
//    written in the transaction that decides it, relayed by the outbound worker, re-sent by the sweeper.
// A record that must be relayed carries `dueAt`: if it is still pending then, the sweeper re-sends it.

export const REQUEST_TYPES = [
  'BALANCE_INQUIRY',
  'DEPOSIT_CERTIFICATE',
  'TRANSFER_REQUEST',
  'RETIREMENT_WITHDRAWAL',
  'PURCHASE_WITHDRAWAL',
  'LOAN_PAYOFF_CERTIFICATE',
  'FULL_PREPAYMENT',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATUSES = ['RECEIVED', 'PROCESSING', 'COMPLETED', 'REJECTED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type TransferStatus = 'QUEUED' | 'SENT' | 'COMPLETED' | 'REJECTED';

export interface Rejection {
  code: string;
  message: string;
}

export interface Partner {
  centerCode: string;
  name: string;
  callbackUrl: string;
  apiBaseUrl?: string;
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
  payload: { idNumber: string; name: string } & Record<string, unknown>;
  /** SHA-256 of the canonical body: the same requestId with another body is refused. */
  requestHash: string;
  status: RequestStatus;
  /** The answer as sent to the partner (yuan strings). */
  result?: Record<string, unknown>;
  rejection?: Rejection;
  receivedAt: string;
  updatedAt: string;
  completedAt?: string;
  /** Set while not final: the sweeper re-dispatches the request after this instant. */
  dueAt?: string;
  sweeps?: number;
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
  /** The partner's tracking id once it accepted our request. */
  theirTrackingId?: string;
  amountFen?: number;
  rejection?: Rejection;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
}

export type OutboxKind = 'CALLBACK' | 'TRANSFER_REQUEST';

export interface OutboxMessage {
  outboxId: string;
  kind: OutboxKind;
  /** Partner center code (its secret signs the message). */
  partner: string;
  /** CALLBACK: the partner's callbackUrl; TRANSFER_REQUEST: its apiBaseUrl + this path. */
  path?: string;
  /** The exact JSON text to POST. */
  body: string;
  /** trackingId (CALLBACK) or transferId (TRANSFER_REQUEST). */
  ref: string;
  status: 'PENDING' | 'DELIVERED';
  createdAt: string;
  deliveredAt?: string;
  dueAt?: string;
  /** How many times the sweeper re-sent it. */
  sweeps?: number;
}

/** The encryption context a partner's secret is sealed under: bound to that center, for that purpose. */
export const partnerSecretContext = (centerCode: string) => ({ purpose: 'partner-secret', subject: centerCode }) as const;

export const isFinal = (s: RequestStatus) => s === 'COMPLETED' || s === 'REJECTED';

/** Seconds after which a record still pending is re-sent by the sweeper, doubling per sweep (capped). */
export const RELAY_AFTER_SECONDS = 30;
export const RELAY_BACKOFF_CAP_SECONDS = 3600;
export const relayDueAt = (now: Date, sweeps = 0) =>
  new Date(now.getTime() + Math.min(RELAY_BACKOFF_CAP_SECONDS, RELAY_AFTER_SECONDS * 2 ** sweeps) * 1000).toISOString();

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
