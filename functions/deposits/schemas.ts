// Request schemas of the collection routes (api.md). Unknown fields are refused (strict).
//
// Issue 14: bank references and a freeze's document number are the kernel's `documentNumber` (stored
// and compared canonical: NFKC, Latin upper case; an invisible or look-alike character is a 400, never
// stripped); people's names are `personName`; a unit's name, reasons, authorities and notes
// `plainText`; positiveYuan the kernel's bounded `positiveYuan`; and every period of a contribution lies within
// the policy history (a period before its first month is a 400: no rule of this system has a policy
// for it).
import * as z from '../../shared/zod.ts';
import { accountNumber, contributionRatePercent, creditCode, documentNumber, flexibleRatePercent, paginationShape, payDay, period, personName, plainText, POLICY_HISTORY_START, positiveYuan, residentId } from '../../shared/schemas.ts';

const bankRef = documentNumber(64);

/** The first period of the policy history (2016-02): no contribution is owed, deferred or paid before it. */
export const FIRST_PERIOD = POLICY_HISTORY_START.slice(0, 7);

/** A period of contributions: YYYY-MM (1990–2100, the kernel's format) and not before FIRST_PERIOD. */
const contributionPeriod = period.check(
  z.refine((p: string) => p >= FIRST_PERIOD, { error: `period must not be before ${FIRST_PERIOD}, the start of the policy history / 期间不得早于${FIRST_PERIOD}` }),
);

const note = plainText(500, { multiline: true });

export const registerUnitBody = z.strictObject({ name: plainText(100), creditCode, branch: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/)), payDay, employerRate: contributionRatePercent, employeeRate: contributionRatePercent, startPeriod: z.optional(contributionPeriod) });

export const changeUnitBody = z
  .strictObject({ employerRate: z.optional(contributionRatePercent), employeeRate: z.optional(contributionRatePercent), payDay: z.optional(payDay) })
  .check(z.refine((b) => Object.values(b).some((v) => v !== undefined), { error: 'nothing to change / 无修改内容' }));

export const hireBody = z.strictObject({ idNumber: residentId, name: personName(), monthlyBase: positiveYuan, startPeriod: z.optional(contributionPeriod) });

export const baseAdjustmentBody = z.strictObject({
  year: z.int().check(z.gte(1990), z.lte(2100)),
  items: z
    .array(z.strictObject({ accountNo: accountNumber, monthlyBase: positiveYuan }))
    .check(
      z.minLength(1),
      z.maxLength(10_000),
      z.refine((items) => new Set(items.map((i) => i.accountNo)).size === items.length, { error: 'an account appears twice / 账户重复' }),
    ),
});

export const deferralBody = z
  .strictObject({ fromPeriod: contributionPeriod, toPeriod: contributionPeriod, reason: note })
  .check(z.refine((b) => b.fromPeriod <= b.toPeriod, { error: 'fromPeriod must not be after toPeriod / 起始期间不能晚于结束期间', path: ['toPeriod'] }));

export const remittanceBody = z.strictObject({ period: contributionPeriod, kind: z._default(z.enum(['REGULAR', 'BACKPAY']), 'REGULAR') });

export const settlementBody = z.strictObject({ amount: positiveYuan, bankRef });

export const flexibleBody = z.strictObject({ idNumber: residentId, name: personName(), monthlyBase: positiveYuan, rate: flexibleRatePercent });

export const depositBody = z.strictObject({ period: contributionPeriod, amount: positiveYuan, bankRef });

export const interestBody = z.strictObject({ year: z.int().check(z.gte(1990), z.lte(2100)) });

export const pageQuery = z.object(paginationShape);

export const freezeBody = z.strictObject({ reason: note, authority: plainText(200), documentNo: documentNumber(100) });

export const unfreezeBody = z.strictObject({ note });
