// The settlement domain's records (资金结算, api.md "Banks and settlement"). Pure types and rules.
import { derivedId } from '../../../shared/ids.ts';
import { fenToYuan } from '../../../shared/money.ts';

const fenAmount = (fen: number) => fenToYuan(fen);

export const ACCOUNT_PURPOSES = ['COLLECTION', 'PAYMENT'] as const;
export type AccountPurpose = (typeof ACCOUNT_PURPOSES)[number];

/** A special account (住房公积金专户) at a bank. */
export interface BankAccount {
  accountNo: string;
  purpose: AccountPurpose;
  /** Absent: the account serves every branch. */
  branches?: string[];
  /** When this account was registered (the PUT that listed it), to rank "the one registered last". */
  registeredAt: string;
  /** Its place in that PUT's list (a later place was registered later). */
  seq: number;
}

/** A commissioned bank (委托银行). Its shared secret only sealed. */
export interface Bank {
  bankCode: string;
  name: string;
  apiBaseUrl: string;
  sealedSecret: string;
  accounts: BankAccount[];
  createdAt: string;
  updatedAt: string;
}

/** What a bank's record looks like to the admin: never its secret. */
export const bankView = (b: Bank) => ({
  bankCode: b.bankCode,
  name: b.name,
  apiBaseUrl: b.apiBaseUrl,
  accounts: b.accounts.map((a) => ({ accountNo: a.accountNo, purpose: a.purpose, ...(a.branches ? { branches: a.branches } : {}) })),
  createdAt: b.createdAt,
  updatedAt: b.updatedAt,
});

export const bankSecretContext = (bankCode: string) => ({ purpose: 'bank-secret', subject: bankCode });

export type MatchedKind = 'REMITTANCE' | 'LOAN' | 'DEPOSIT';
export interface NoticeAnswer {
  matched: { kind: MatchedKind; id: string } | null;
}

/** What a bank's arrival notice states (kept by the notice and by the suspense item it may become). */
export interface ArrivalFacts {
  bankCode: string;
  notificationId: string;
  accountNo: string;
  amountFen: number;
  valueDate: string;
  payerName: string;
  payerAccount: string;
  reference: string;
}

/** An arrival notice (到账通知) as recorded, with the answer it got (the same again for a duplicate). */
export interface Notice extends ArrivalFacts {
  answer: NoticeAnswer;
  /** The suspense item it became, when nothing matched. */
  suspenseItemId?: string;
  receivedAt: string;
}

export type SuspenseStatus = 'OPEN' | 'ASSIGNED' | 'REFUNDING' | 'REFUNDED';
/** A suspense item (待查款项): money arrived that nothing matched. */
export interface SuspenseItem extends ArrivalFacts {
  itemId: string;
  status: SuspenseStatus;
  receivedAt: string;
  updatedAt: string;
  assignedTo?: { kind: 'REMITTANCE'; id: string };
  /** The refund order in progress or done. */
  paymentId?: string;
  refundAttempts?: number;
  note?: string;
  /** Why the last refund failed (the item is OPEN again). */
  lastRefundFailure?: { code: string; message: string };
}

export const suspenseItemIdOf = (bankCode: string, notificationId: string) => derivedId('S', bankCode, notificationId);

export type PaymentStatus = 'ORDERED' | 'SETTLED' | 'FAILED';
export const PAYMENT_STATUSES = ['ORDERED', 'SETTLED', 'FAILED'] as const;

/** What a payment order pays for (the record whose result it reports). */
export interface PaymentSource {
  kind: 'SUSPENSE_REFUND' | 'WITHDRAWAL' | 'LOAN_DISBURSEMENT' | 'TRANSFER_OUT';
  id: string;
}

/**
 * A bank's result of a payment order, as the settlement domain hands it to the domain the order paid
 * (withdrawals, loans, interprovincial: their public.ts planners of the result's effect).
 */
export interface PaymentResult {
  paymentId: string;
  status: 'SETTLED' | 'FAILED';
  bankRef: string;
  /** The bank's reason when FAILED. */
  failure?: { code: string; message: string };
  /** When the bank settled it (its own statement), if it said. */
  settledAt?: string;
  /** ISO timestamp of the result's recording. */
  at: string;
}

/** A payment order (付款指令) to a bank, sent from an outbox; idempotent by paymentId at the bank. */
export interface PaymentOrder {
  paymentId: string;
  bankCode: string;
  fromAccountNo: string;
  payeeName: string;
  payeeAccount: string;
  amountFen: number;
  purpose: string;
  reference: string;
  source: PaymentSource;
  branch?: string;
  status: PaymentStatus;
  /** PENDING until the bank acknowledged the order (2xx), then SENT. */
  delivery: 'PENDING' | 'SENT';
  /** Sends tried without acknowledgement. */
  attempts: number;
  /** When the sweeper re-sends it (while PENDING). */
  dueAt?: string;
  /** A worker is sending it until then (a claim taken before the POST): nobody else sends it meanwhile. */
  sendingUntil?: string;
  orderedAt: string;
  sentAt?: string;
  bankRef?: string;
  settledAt?: string;
  failure?: { code: string; message: string };
  resultAt?: string;
}

export const paymentView = (p: PaymentOrder) => ({
  paymentId: p.paymentId,
  bankCode: p.bankCode,
  fromAccountNo: p.fromAccountNo,
  payeeName: p.payeeName,
  payeeAccount: p.payeeAccount,
  amount: fenAmount(p.amountFen),
  purpose: p.purpose,
  reference: p.reference,
  source: p.source,
  status: p.status,
  delivery: p.delivery,
  orderedAt: p.orderedAt,
  ...(p.sentAt ? { sentAt: p.sentAt } : {}),
  ...(p.bankRef ? { bankRef: p.bankRef } : {}),
  ...(p.settledAt ? { settledAt: p.settledAt } : {}),
  ...(p.failure ? { failure: p.failure } : {}),
});

export const suspenseView = (s: SuspenseItem) => ({
  itemId: s.itemId,
  bankCode: s.bankCode,
  notificationId: s.notificationId,
  accountNo: s.accountNo,
  amount: fenAmount(s.amountFen),
  valueDate: s.valueDate,
  payerName: s.payerName,
  payerAccount: s.payerAccount,
  reference: s.reference,
  status: s.status,
  receivedAt: s.receivedAt,
  ...(s.assignedTo ? { assignedTo: s.assignedTo } : {}),
  ...(s.paymentId ? { paymentId: s.paymentId } : {}),
  ...(s.lastRefundFailure ? { lastRefundFailure: s.lastRefundFailure } : {}),
});

/** One special account in a reconciliation run. `error`: its statement could not be fetched (not reconciled). */
export interface ReconciledAccount {
  bankCode: string;
  accountNo: string;
  lines: number;
  matched: number;
  differences: number;
  error?: string;
}

/**
 * A finding a reconciliation raised (recorded by supervision, rule BANK_RECONCILIATION): a statement
 * difference (`kind` a DifferenceKind), or an old open item (AGED_SUSPENSE, UNSETTLED_PAYMENT: `record`
 * the suspense item or the order, `accountNo` the account it arrived on or leaves from).
 */
export interface ReconciliationFinding {
  findingId: string;
  kind: string;
  subject: string;
  bankCode: string;
  accountNo: string;
  lineId?: string;
  reference?: string;
  record?: { kind: 'NOTICE' | 'PAYMENT' | 'SUSPENSE'; id: string };
}

/** A daily bank reconciliation (银行对账) of one business date. COMPLETED: every account's statement was read. */
export interface ReconciliationRun {
  runId: string;
  date: string;
  status: 'COMPLETED' | 'INCOMPLETE';
  trigger: 'AUDITOR' | 'SCHEDULE';
  accounts: ReconciledAccount[];
  findings: ReconciliationFinding[];
  /** All findings, when more than those listed (the list is capped to keep the run one item). */
  findingsTotal: number;
  /** Old open items found (each a finding, counted in findingsTotal): OPEN suspense, ORDERED orders. */
  aged?: { suspense: number; unsettledPayments: number };
  startedAt: string;
  finishedAt: string;
  by?: string;
}

export const reconciliationView = (r: ReconciliationRun) => ({
  runId: r.runId,
  date: r.date,
  status: r.status,
  accounts: r.accounts,
  findings: r.findings,
  findingsTotal: r.findingsTotal,
  aged: r.aged ?? { suspense: 0, unsettledPayments: 0 },
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
});
