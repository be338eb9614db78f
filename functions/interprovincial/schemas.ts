// Request bodies of the inter-provincial API (api.md), strict: unknown fields are refused.
import * as z from 'zod';
import { isoDate, paginationShape, positiveYuan, residentId, yuanAmount } from '../../shared/schemas.ts';
import { REQUEST_STATUSES, REQUEST_TYPES } from './domain/types.ts';

const url = z
  .string()
  .max(2048)
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), { error: 'must be an http(s) URL' });
const text = (max: number) => z.string().trim().min(1).max(max);

export const centerCodeParam = z.string().regex(/^[A-Za-z0-9_-]{2,32}$/, { error: 'centerCode must be 2–32 of [A-Za-z0-9_-]' });

export const partnerBody = z
  .object({
    name: text(100),
    callbackUrl: url,
    apiBaseUrl: url.optional(),
    sharedSecret: z.string().min(16, { error: 'sharedSecret must have at least 16 characters' }).max(256),
  })
  .strict();
export type PartnerBody = z.infer<typeof partnerBody>;

const member = { idNumber: residentId, name: text(50) };

/** Payloads per request type: every one names our member by idNumber and name. */
export const payloadSchemas = {
  BALANCE_INQUIRY: z.object(member).strict(),
  DEPOSIT_CERTIFICATE: z.object(member).strict(),
  TRANSFER_REQUEST: z.object(member).strict(),
  RETIREMENT_WITHDRAWAL: z.object({ ...member, retirementDate: isoDate }).strict(),
  PURCHASE_WITHDRAWAL: z
    .object({ ...member, amount: positiveYuan, contractNo: text(64), propertyCertificateNo: text(64), price: positiveYuan, purchaseDate: isoDate, city: text(50).optional() })
    .strict(),
  LOAN_PAYOFF_CERTIFICATE: z.object(member).strict(),
  FULL_PREPAYMENT: z.object({ ...member, loanContractNo: text(64).optional() }).strict(),
} as const;
export type PurchasePayload = z.infer<(typeof payloadSchemas)['PURCHASE_WITHDRAWAL']>;
export type RetirementPayload = z.infer<(typeof payloadSchemas)['RETIREMENT_WITHDRAWAL']>;

export const inboundBody = z
  .object({
    requestId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: 'requestId must be 1–128 of [A-Za-z0-9_.:-]' }),
    type: z.enum(REQUEST_TYPES),
    payload: z.record(z.string(), z.unknown()),
  })
  .strict()
  .superRefine((b, ctx) => {
    const parsed = payloadSchemas[b.type].safeParse(b.payload);
    if (!parsed.success) for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: ['payload', ...i.path.map(String)] });
  });
export type InboundBody = z.infer<typeof inboundBody>;

export const callbackBody = z
  .object({
    trackingId: text(128),
    requestId: text(128),
    type: z.enum(REQUEST_TYPES),
    status: z.enum(['COMPLETED', 'REJECTED']),
    result: z.record(z.string(), z.unknown()).optional(),
    rejection: z.object({ code: text(64), message: z.string().max(500) }).strict().optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.status === 'COMPLETED' && b.type === 'TRANSFER_REQUEST' && !yuanAmount.safeParse(b.result?.amount).success)
      ctx.addIssue({ code: 'custom', message: 'a COMPLETED TRANSFER_REQUEST carries result.amount in yuan', path: ['result', 'amount'] });
    if (b.status === 'REJECTED' && !b.rejection) ctx.addIssue({ code: 'custom', message: 'a REJECTED outcome carries a rejection', path: ['rejection'] });
  });
export type CallbackBody = z.infer<typeof callbackBody>;

export const transferBody = z
  .object({ idNumber: residentId, name: text(50), fromCenter: centerCodeParam, toAccountNo: z.string().regex(/^[0-9]{12}$/, { error: 'toAccountNo must be 12 digits' }) })
  .strict();
export type TransferBody = z.infer<typeof transferBody>;

export const listRequestsQuery = z.object({ ...paginationShape, status: z.enum(REQUEST_STATUSES).optional() }).strict();
