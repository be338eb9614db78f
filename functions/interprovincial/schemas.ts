// Request bodies of the inter-provincial API (api.md), strict: unknown fields are refused.
import * as z from '../../shared/zod.ts';
import { isoDate, paginationShape, positiveYuan, residentId, yuanAmount } from '../../shared/schemas.ts';
import { REQUEST_STATUSES, REQUEST_TYPES } from './domain/types.ts';

const url = z
  .string()
  .check(
    z.maxLength(2048),
    z.refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), { error: 'must be an http(s) URL' }),
  );
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const centerCodeParam = z.string().check(z.regex(/^[A-Za-z0-9_-]{2,32}$/, { error: 'centerCode must be 2–32 of [A-Za-z0-9_-]' }));

export const partnerBody = z.strictObject({
  name: text(100),
  callbackUrl: url,
  apiBaseUrl: z.optional(url),
  sharedSecret: z.string().check(z.minLength(16, { error: 'sharedSecret must have at least 16 characters' }), z.maxLength(256)),
});
export type PartnerBody = z.infer<typeof partnerBody>;

const member = { idNumber: residentId, name: text(50) };

/** Payloads per request type: every one names our member by idNumber and name. */
export const payloadSchemas = {
  BALANCE_INQUIRY: z.strictObject(member),
  DEPOSIT_CERTIFICATE: z.strictObject(member),
  TRANSFER_REQUEST: z.strictObject(member),
  RETIREMENT_WITHDRAWAL: z.strictObject({ ...member, retirementDate: isoDate }),
  PURCHASE_WITHDRAWAL: z.strictObject({ ...member, amount: positiveYuan, contractNo: text(64), propertyCertificateNo: text(64), price: positiveYuan, purchaseDate: isoDate, city: z.optional(text(50)) }),
  LOAN_PAYOFF_CERTIFICATE: z.strictObject(member),
  FULL_PREPAYMENT: z.strictObject({ ...member, loanContractNo: z.optional(text(64)) }),
} as const;
export type PurchasePayload = z.infer<(typeof payloadSchemas)['PURCHASE_WITHDRAWAL']>;
export type RetirementPayload = z.infer<(typeof payloadSchemas)['RETIREMENT_WITHDRAWAL']>;

export const inboundBody = z
  .strictObject({
    requestId: z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: 'requestId must be 1–128 of [A-Za-z0-9_.:-]' })),
    type: z.enum(REQUEST_TYPES),
    payload: z.record(z.string(), z.unknown()),
  })
  .check(
    z.superRefine((b, ctx) => {
      const parsed = payloadSchemas[b.type].safeParse(b.payload);
      if (!parsed.success) for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: ['payload', ...i.path.map(String)] });
    }),
  );
export type InboundBody = z.infer<typeof inboundBody>;

export const callbackBody = z
  .strictObject({
    trackingId: text(128),
    requestId: text(128),
    type: z.enum(REQUEST_TYPES),
    status: z.enum(['COMPLETED', 'REJECTED']),
    result: z.optional(z.record(z.string(), z.unknown())),
    rejection: z.optional(z.strictObject({ code: text(64), message: z.string().check(z.maxLength(500)) })),
  })
  .check(
    z.superRefine((b, ctx) => {
      if (b.status === 'COMPLETED' && b.type === 'TRANSFER_REQUEST' && !yuanAmount.safeParse(b.result?.amount).success)
        ctx.addIssue({ code: 'custom', message: 'a COMPLETED TRANSFER_REQUEST carries result.amount in yuan', path: ['result', 'amount'] });
      if (b.status === 'REJECTED' && !b.rejection) ctx.addIssue({ code: 'custom', message: 'a REJECTED outcome carries a rejection', path: ['rejection'] });
    }),
  );
export type CallbackBody = z.infer<typeof callbackBody>;

export const transferBody = z.strictObject({ idNumber: residentId, name: text(50), fromCenter: centerCodeParam, toAccountNo: z.string().check(z.regex(/^[0-9]{12}$/, { error: 'toAccountNo must be 12 digits' })) });
export type TransferBody = z.infer<typeof transferBody>;

export const listRequestsQuery = z.strictObject({ ...paginationShape, status: z.optional(z.enum(REQUEST_STATUSES)) });
