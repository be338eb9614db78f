// Request bodies of the inter-provincial API (api.md), strict: unknown fields are refused. Every text
// is the kernel's canonical form (shared/schemas.ts): names `personName`, document numbers
// `documentNumber`, other text `plainText`; money is bounded by MAX_AMOUNT_FEN; dates lie in a
// plausible window. What is stored and compared is the canonical value.
import * as z from '../../shared/zod.ts';
import { accountNumber, bankAccountNumber, dateInWindow, documentNumber, paginationShape, personName, plainText, residentId, yuanText, httpUrl, recordIdentifier, RECORD_ID } from '../../shared/schemas.ts';
import { yuanToFen } from '../../shared/money.ts';
import { REQUEST_STATUSES, REQUEST_TYPES } from './domain/types.ts';


/** A center code: the path parameter, `fromCenter`, and what X-HPF-Center must look like. */
export const CENTER_CODE = /^[A-Za-z0-9_-]{2,32}$/;
export const centerCodeParam = z.string().check(z.regex(CENTER_CODE, { error: 'centerCode must be 2–32 of [A-Za-z0-9_-]' }));


export const partnerBody = z.strictObject({
  name: plainText(100),
  callbackUrl: httpUrl,
  apiBaseUrl: z.optional(httpUrl),
  /** The partner center's settlement account (api.md v1.1): a completed transfer out is paid to it; without one a TRANSFER_REQUEST is rejected. */
  settlementAccount: z.optional(bankAccountNumber),
  /** Printable ASCII, 16–256 characters: sealed before it is stored (shared/secrets.ts), never returned. */
  sharedSecret: z.string().check(
    z.minLength(16, { error: 'sharedSecret must have at least 16 characters' }),
    z.maxLength(256, { error: 'sharedSecret must have at most 256 characters' }),
    z.regex(/^[\x21-\x7e]+$/, { error: 'sharedSecret must be printable ASCII without spaces' }),
  ),
});
export type PartnerBody = z.infer<typeof partnerBody>;

const boundedYuanText = yuanText; // the kernel's form and its named maximum (it stops at a failed pattern)
/** A positive yuan amount kept as the submitted text. */
const positiveYuanText = boundedYuanText.check(z.refine((s) => yuanToFen(s) > 0, { error: 'amount must be greater than zero / 金额须大于零' }));

/**
 * The dates a partner's request carries: within a wide plausible window, so that dates just outside
 * the business rules still get their rejection code (RETIREMENT_DATE_INVALID, PURCHASE_DATE_INVALID),
 * while a year 0001 or 9999 is a 400.
 */
const requestDate = dateInWindow({ earliest: '1950-01-01', maxDaysAhead: 366 });

const member = { idNumber: residentId, name: personName() };

/**
 * Payloads per request type: every one names our member by idNumber and name. The output is the
 * canonical payload (what is stored with the request and read by the rules): amounts stay yuan text.
 */
export const payloadSchemas = {
  BALANCE_INQUIRY: z.strictObject(member),
  DEPOSIT_CERTIFICATE: z.strictObject({ ...member, purpose: z.optional(plainText(100)) }),
  TRANSFER_REQUEST: z.strictObject(member),
  RETIREMENT_WITHDRAWAL: z.strictObject({ ...member, retirementDate: requestDate }),
  PURCHASE_WITHDRAWAL: z.strictObject({
    ...member,
    amount: positiveYuanText,
    contractNo: documentNumber(),
    propertyCertificateNo: documentNumber(),
    price: positiveYuanText,
    purchaseDate: requestDate,
    city: z.optional(plainText(50)),
  }),
  LOAN_PAYOFF_CERTIFICATE: z.strictObject({ ...member, loanId: z.optional(recordIdentifier('loanId')) }),
  /** The payoff amount the partner collected (it must equal that day's payoff amount) and the bank's reference of the money sent. */
  FULL_PREPAYMENT: z.strictObject({ ...member, loanId: recordIdentifier('loanId'), amount: positiveYuanText, bankRef: documentNumber() }),
  /** The partner's own requestId of a TRANSFER_REQUEST it sent us. */
  TRANSFER_CANCEL: z.strictObject({ requestId: recordIdentifier('requestId') }),
} as const;
export type PurchasePayload = z.infer<(typeof payloadSchemas)['PURCHASE_WITHDRAWAL']>;
export type RetirementPayload = z.infer<(typeof payloadSchemas)['RETIREMENT_WITHDRAWAL']>;
export type DepositCertificatePayload = z.infer<(typeof payloadSchemas)['DEPOSIT_CERTIFICATE']>;
export type PayoffCertificatePayload = z.infer<(typeof payloadSchemas)['LOAN_PAYOFF_CERTIFICATE']>;
export type FullPrepaymentPayload = z.infer<(typeof payloadSchemas)['FULL_PREPAYMENT']>;
export type TransferCancelPayload = z.infer<(typeof payloadSchemas)['TRANSFER_CANCEL']>;
export type Payload = z.infer<(typeof payloadSchemas)[keyof typeof payloadSchemas]>;

const inboundShape = z.strictObject({
  requestId: recordIdentifier('requestId'),
  type: z.enum(REQUEST_TYPES),
  payload: z.record(z.string(), z.unknown()),
});

/** A partner's request; `payload` comes out canonical (the type's schema applied). */
export const inboundBody = z.pipe(
  inboundShape.check(
    z.superRefine((b, ctx) => {
      const parsed = payloadSchemas[b.type].safeParse(b.payload);
      if (!parsed.success) for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: ['payload', ...i.path.map(String)] });
    }),
  ),
  z.transform((b: z.infer<typeof inboundShape>) => ({ ...b, payload: payloadSchemas[b.type].parse(b.payload) as Payload })),
);
export type InboundBody = z.infer<typeof inboundBody>;

/** A scalar of a partner's result: short printable text, a finite number, a boolean or null. */
const resultValue = z.union([plainText(200), z.number().check(z.refine(Number.isFinite)), z.boolean(), z.null()]);
const RESULT_MAX_FIELDS = 32;

export const callbackBody = z
  .strictObject({
    trackingId: recordIdentifier('trackingId'),
    requestId: recordIdentifier('requestId'),
    type: z.enum(REQUEST_TYPES),
    status: z.enum(['COMPLETED', 'REJECTED']),
    result: z.optional(
      z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { error: 'result fields are names of [A-Za-z0-9_]' })), resultValue).check(
        z.refine((r) => Object.keys(r).length <= RESULT_MAX_FIELDS, { error: `a result has at most ${RESULT_MAX_FIELDS} fields` }),
      ),
    ),
    rejection: z.optional(z.strictObject({ code: z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { error: 'rejection code must be 1–64 of [A-Za-z0-9_.-]' })), message: plainText(500, { multiline: true }) })),
  })
  .check(
    z.superRefine((b, ctx) => {
      if (b.status === 'COMPLETED' && b.type === 'TRANSFER_REQUEST' && !boundedYuanText.safeParse(b.result?.amount).success)
        ctx.addIssue({ code: 'custom', message: 'a COMPLETED TRANSFER_REQUEST carries result.amount in yuan (at most the named maximum)', path: ['result', 'amount'] });
      if (b.status === 'REJECTED' && !b.rejection) ctx.addIssue({ code: 'custom', message: 'a REJECTED outcome carries a rejection', path: ['rejection'] });
    }),
  );
export type CallbackBody = z.infer<typeof callbackBody>;

/** The message of the interprovincial-inbound queue (FIFO per member): the request to process. */
export const inboundRequestMessage = z.object({ trackingId: z.string().check(z.minLength(1)) });
export type InboundRequestMessage = z.infer<typeof inboundRequestMessage>;
/** The message of the interprovincial-outbound queue: the outbox message to POST to its partner. */
export const outboundDeliveryMessage = z.object({ outboxId: z.string().check(z.minLength(1)) });
export type OutboundDeliveryMessage = z.infer<typeof outboundDeliveryMessage>;

export const transferBody = z.strictObject({ idNumber: residentId, name: personName(), fromCenter: centerCodeParam, toAccountNo: accountNumber });
export type TransferBody = z.infer<typeof transferBody>;

export const listRequestsQuery = z.strictObject({ ...paginationShape, status: z.optional(z.enum(REQUEST_STATUSES)) });

/** A path id (tracking id, transfer id) that can name a record: anything else is simply not found. */
export const isRecordId = (s: unknown): s is string => typeof s === 'string' && RECORD_ID.test(s);
