// Request bodies of the bank routes (api.md "Banks and settlement"), strict: unknown fields refused.
import * as z from '../../shared/zod.ts';
import { bankAccountNumber, dateInWindow, documentNumber, paginationShape, plainText, positiveYuan, httpUrl, recordIdentifier } from '../../shared/schemas.ts';
import { ACCOUNT_PURPOSES, PAYMENT_STATUSES } from './domain/types.ts';


/** A bank code: the path parameter and what X-HPF-Bank must look like. */
export const BANK_CODE = /^[A-Za-z0-9_-]{2,32}$/;
export const bankCodeParam = z.string().check(z.regex(BANK_CODE, { error: 'bankCode must be 2–32 of [A-Za-z0-9_-]' }));

const BRANCH = /^[A-Za-z0-9_-]{1,32}$/;

const amount = positiveYuan;

export const bankBody = z.strictObject({
  name: plainText(100),
  apiBaseUrl: httpUrl,
  /** Printable ASCII, 16–256 characters: sealed before it is stored, never returned. */
  sharedSecret: z.string().check(
    z.minLength(16, { error: 'sharedSecret must have at least 16 characters' }),
    z.maxLength(256, { error: 'sharedSecret must have at most 256 characters' }),
    z.regex(/^[\x21-\x7e]+$/, { error: 'sharedSecret must be printable ASCII without spaces' }),
  ),
  accounts: z
    .array(
      z.strictObject({
        accountNo: bankAccountNumber,
        purpose: z.enum(ACCOUNT_PURPOSES),
        branches: z.optional(z.array(z.string().check(z.regex(BRANCH, { error: 'a branch is 1–32 of [A-Za-z0-9_-]' }))).check(z.minLength(1), z.maxLength(100))),
      }),
    )
    .check(
      z.minLength(1, { error: 'a bank has at least one special account' }),
      z.maxLength(50),
      z.refine((as) => new Set(as.map((a) => a.accountNo)).size === as.length, { error: 'an account is listed once' }),
    ),
});
export type BankBody = z.infer<typeof bankBody>;

export const notificationBody = z.strictObject({
  notificationId: recordIdentifier('notificationId'),
  accountNo: bankAccountNumber,
  amount,
  valueDate: dateInWindow({ maxDaysAhead: 0 }),
  payerName: plainText(100),
  payerAccount: bankAccountNumber,
  /** What the payer wrote (附言): a remittance id, a loan id, an account number, or anything. */
  reference: z.string().check(z.maxLength(128), z.regex(/^[\x20-\x7e\u00a0-\uffff]*$/, { error: 'reference must be printable text' })),
});
export type NotificationBody = z.infer<typeof notificationBody>;

export const paymentResultBody = z.strictObject({
  paymentId: recordIdentifier('paymentId'),
  status: z.enum(['SETTLED', 'FAILED']),
  bankRef: documentNumber(64),
  settledAt: z.optional(z.iso.datetime({ offset: true })),
  failure: z.optional(z.strictObject({ code: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,32}$/)), message: plainText(200) })),
});
export type PaymentResultBody = z.infer<typeof paymentResultBody>;

export const assignBody = z.union([
  z.strictObject({ remittanceId: recordIdentifier('remittanceId') }),
  z.strictObject({ refund: z.literal(true), note: plainText(500) }),
]);
export type AssignBody = z.infer<typeof assignBody>;

export const paymentsQuery = z.strictObject({ ...paginationShape, status: z._default(z.optional(z.enum(PAYMENT_STATUSES)), 'ORDERED') });
export const suspenseQuery = z.strictObject({ ...paginationShape });

/** POST /v1/bank/reconciliations: a business date up to today. */
export const reconciliationBody = z.strictObject({ date: dateInWindow({ maxDaysAhead: 0 }) });

/** The message of the settlement-payments queue: the order to send (a message without it is poison: it fails until the DLQ takes it). */
export const paymentOrderMessage = z.object({ paymentId: z.string().check(z.minLength(1)) });
export type PaymentOrderMessage = z.infer<typeof paymentOrderMessage>;
