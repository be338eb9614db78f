// Request schemas of the collection routes (api.md). Unknown fields are refused (strict).
import * as z from '../../shared/zod.ts';
import { contributionRatePercent, creditCode, flexibleRatePercent, paginationShape, payDay, period, positiveYuan, residentId } from '../../shared/schemas.ts';

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const bankRef = text(64);

export const registerUnitBody = z.strictObject({ name: text(100), creditCode, branch: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/)), payDay, employerRate: contributionRatePercent, employeeRate: contributionRatePercent, startPeriod: z.optional(period) });

export const changeUnitBody = z
  .strictObject({ employerRate: z.optional(contributionRatePercent), employeeRate: z.optional(contributionRatePercent), payDay: z.optional(payDay) })
  .check(z.refine((b) => Object.values(b).some((v) => v !== undefined), { error: 'nothing to change / 无修改内容' }));

export const hireBody = z.strictObject({ idNumber: residentId, name: text(50), monthlyBase: positiveYuan, startPeriod: z.optional(period) });

export const baseAdjustmentBody = z.strictObject({
  year: z.int().check(z.gte(1990), z.lte(2100)),
  items: z
    .array(z.strictObject({ accountNo: z.string().check(z.regex(/^[0-9]{12}$/)), monthlyBase: positiveYuan }))
    .check(
      z.minLength(1),
      z.maxLength(10_000),
      z.refine((items) => new Set(items.map((i) => i.accountNo)).size === items.length, { error: 'an account appears twice / 账户重复' }),
    ),
});

export const deferralBody = z
  .strictObject({ fromPeriod: period, toPeriod: period, reason: text(500) })
  .check(z.refine((b) => b.fromPeriod <= b.toPeriod, { error: 'fromPeriod must not be after toPeriod / 起始期间不能晚于结束期间', path: ['toPeriod'] }));

export const remittanceBody = z.strictObject({ period, kind: z._default(z.enum(['REGULAR', 'BACKPAY']), 'REGULAR') });

export const settlementBody = z.strictObject({ amount: positiveYuan, bankRef });

export const flexibleBody = z.strictObject({ idNumber: residentId, name: text(50), monthlyBase: positiveYuan, rate: flexibleRatePercent });

export const depositBody = z.strictObject({ period, amount: positiveYuan, bankRef });

export const interestBody = z.strictObject({ year: z.int().check(z.gte(1990), z.lte(2100)) });

export const pageQuery = z.object(paginationShape);

export const freezeBody = z.strictObject({ reason: text(500), authority: text(200), documentNo: text(100) });

export const unfreezeBody = z.strictObject({ note: text(500) });
