// Request schemas of the collection routes (api.md). Unknown fields are refused (strict).
import * as z from 'zod';
import { contributionRatePercent, creditCode, flexibleRatePercent, paginationShape, payDay, period, positiveYuan, residentId } from '../../shared/schemas.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const bankRef = text(64);

export const registerUnitBody = z
  .object({ name: text(100), creditCode, branch: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/), payDay, employerRate: contributionRatePercent, employeeRate: contributionRatePercent, startPeriod: period.optional() })
  .strict();

export const changeUnitBody = z
  .object({ employerRate: contributionRatePercent.optional(), employeeRate: contributionRatePercent.optional(), payDay: payDay.optional() })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { error: 'nothing to change / 无修改内容' });

export const hireBody = z.object({ idNumber: residentId, name: text(50), monthlyBase: positiveYuan, startPeriod: period.optional() }).strict();

export const baseAdjustmentBody = z
  .object({
    year: z.number().int().min(1990).max(2100),
    items: z
      .array(z.object({ accountNo: z.string().regex(/^[0-9]{12}$/), monthlyBase: positiveYuan }).strict())
      .min(1)
      .max(10_000)
      .refine((items) => new Set(items.map((i) => i.accountNo)).size === items.length, { error: 'an account appears twice / 账户重复' }),
  })
  .strict();

export const deferralBody = z
  .object({ fromPeriod: period, toPeriod: period, reason: text(500) })
  .strict()
  .refine((b) => b.fromPeriod <= b.toPeriod, { error: 'fromPeriod must not be after toPeriod / 起始期间不能晚于结束期间', path: ['toPeriod'] });

export const remittanceBody = z.object({ period, kind: z.enum(['REGULAR', 'BACKPAY']).default('REGULAR') }).strict();

export const settlementBody = z.object({ amount: positiveYuan, bankRef }).strict();

export const flexibleBody = z.object({ idNumber: residentId, name: text(50), monthlyBase: positiveYuan, rate: flexibleRatePercent }).strict();

export const depositBody = z.object({ period, amount: positiveYuan, bankRef }).strict();

export const interestBody = z.object({ year: z.number().int().min(1990).max(2100) }).strict();

export const pageQuery = z.object(paginationShape);
