// Request shapes of the withdrawals API (api.md, Withdrawals): one strict object per reason with the
// evidence that reason asks for, nothing more. Money inside the evidence stays the yuan string the
// member submitted (the archive keeps what was submitted); the withdrawal `amount` becomes fen.
import * as z from '../../shared/zod.ts';
import { isoDate, positiveYuan, residentId } from '../../shared/schemas.ts';
import { YUAN_PATTERN, yuanToFen } from '../../shared/money.ts';
import { paginationShape } from '../../shared/schemas.ts';

/** A document number or name: 1–`max` characters, no leading or trailing white space. */
const text = (max = 64) =>
  z
    .string()
    .check(
      z.maxLength(max, { error: `at most ${max} characters / 不超过${max}个字符` }),
      z.regex(/^\S(?:.*\S)?$/u, { error: 'must not be empty or start or end with spaces / 不能为空或首尾含空格' }),
    );

/** A positive yuan amount kept as the submitted string ("450000", "450000.5"). */
const YUAN_TEXT_MESSAGE = 'must be a positive amount in yuan as a string with at most two decimals / 金额须为正数字符串，最多两位小数';
const yuanText = z
  .string({ error: YUAN_TEXT_MESSAGE })
  .check(
    z.regex(YUAN_PATTERN, { error: YUAN_TEXT_MESSAGE }),
    z.refine((s) => yuanToFen(s) > 0, { error: YUAN_TEXT_MESSAGE }),
  );

const purchase = { contractNo: text(), propertyCertificateNo: text(), price: yuanText, purchaseDate: isoDate };

const rentEvidence = z.discriminatedUnion('housingKind', [
  z.strictObject({ housingKind: z.enum(['PUBLIC_RENTAL', 'AFFORDABLE_RENTAL']), leaseContractNo: text(), rentReceiptNo: text() }),
  z.strictObject({ housingKind: z.literal('COMMERCIAL'), noHouseCertificateNo: text(), spouseNoHouseCertificateNo: z.optional(text()) }),
]);

/** Our own loan (`loanId`, or none: the account's active loan) or another center's (`centerCode` + `loanContractNo`). */
const hpfLoanEvidence = z
  .strictObject({ loanId: z.optional(text()), centerCode: z.optional(text(16)), loanContractNo: z.optional(text()) })
  .check(
    z.superRefine((e, ctx) => {
      const other = e.centerCode !== undefined || e.loanContractNo !== undefined;
      if (e.loanId !== undefined && other) ctx.addIssue({ code: 'custom', path: ['loanId'], message: 'give loanId (ours) or centerCode + loanContractNo (another center), not both / 本中心贷款与异地贷款只能二选一' });
      if (other && e.centerCode === undefined) ctx.addIssue({ code: 'custom', path: ['centerCode'], message: 'required with loanContractNo / 异地贷款须提供中心代码' });
      if (other && e.loanContractNo === undefined) ctx.addIssue({ code: 'custom', path: ['loanContractNo'], message: 'required with centerCode / 异地贷款须提供贷款合同号' });
    }),
  );

const payeeBankAccount = z.string().check(z.regex(/^[0-9]{8,32}$/, { error: 'payeeBankAccount must be 8–32 digits / 收款账号应为8至32位数字' }));
const common = {
  accountNo: z.string().check(z.regex(/^[1-9][0-9]{11}$/, { error: 'accountNo must be 12 digits / 账号应为12位数字' })),
  amount: z.optional(positiveYuan),
  full: z.optional(z.literal(true)),
  payeeBankAccount,
};

/** How a principal prepayment recalculates the schedule (default REDUCE_TERM). */
export const recalculation = z.enum(['REDUCE_TERM', 'REDUCE_PAYMENT']);

/**
 * HPF_LOAN_REPAYMENT: for one of our loans nothing is paid to a bank account (`payeeBankAccount` may
 * be omitted) and `recalculation` says how a prepayment of principal recalculates the schedule; for
 * another center's loan the money is paid out to `payeeBankAccount` (that center's account) as before.
 */
const hpfLoanRepayment = z
  .strictObject({ ...common, payeeBankAccount: z.optional(payeeBankAccount), reason: z.literal('HPF_LOAN_REPAYMENT'), evidence: hpfLoanEvidence, recalculation: z.optional(recalculation) })
  .check(
    z.superRefine((b, ctx) => {
      const otherCenter = b.evidence.centerCode !== undefined;
      if (otherCenter && b.payeeBankAccount === undefined) ctx.addIssue({ code: 'custom', path: ['payeeBankAccount'], message: 'required to repay another center’s loan / 偿还异地贷款须提供收款账号' });
      if (otherCenter && b.recalculation !== undefined) ctx.addIssue({ code: 'custom', path: ['recalculation'], message: 'only for a loan of this center / 仅适用于本中心贷款' });
    }),
  );

const certificate = z.strictObject({ certificateNo: text() });

export const applyWithdrawalBody = z
  .discriminatedUnion('reason', [
    z.strictObject({ ...common, reason: z.literal('PURCHASE'), evidence: z.strictObject(purchase) }),
    z.strictObject({ ...common, reason: z.literal('OFFSITE_PURCHASE'), evidence: z.strictObject({ ...purchase, city: text(50) }) }),
    z.strictObject({ ...common, reason: z.literal('BUILD_REPAIR'), evidence: z.strictObject({ permitNo: text(), budget: yuanText }) }),
    z.strictObject({ ...common, reason: z.literal('RETIREMENT'), evidence: z.strictObject({ retirementDate: isoDate }) }),
    z.strictObject({ ...common, reason: z.literal('INCAPACITY'), evidence: certificate }),
    z.strictObject({ ...common, reason: z.literal('EMIGRATION'), evidence: certificate }),
    z.strictObject({ ...common, reason: z.literal('DEATH'), evidence: z.strictObject({ heirIdNumber: residentId, heirName: text(50), deathCertificateNo: text() }) }),
    hpfLoanRepayment,
    z.strictObject({ ...common, reason: z.literal('COMMERCIAL_LOAN_REPAYMENT'), evidence: z.strictObject({ bankName: text(100), loanContractNo: text(), outstandingAmount: yuanText }) }),
    z.strictObject({ ...common, reason: z.literal('RENT'), evidence: rentEvidence }),
    z.strictObject({ ...common, reason: z.literal('ELEVATOR_RETROFIT'), evidence: z.strictObject({ projectFilingNo: text(), ownerShareAmount: yuanText }) }),
  ])
  .check(
    z.superRefine((b, ctx) => {
      if ((b.amount === undefined) === (b.full === undefined)) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'give exactly one of amount or full: true / 金额与全额提取须二选一' });
    }),
  );

/** The parsed request: the domain's `WithdrawalApplication` (plain types, money in fen), as the route passes it on. */
export type ApplyWithdrawalBody = z.infer<typeof applyWithdrawalBody>;

/** GET /v1/withdrawals: the review queue (only PENDING_REVIEW withdrawals wait in it). */
export const reviewQueueQuery = z.strictObject({
  ...paginationShape,
  status: z._default(z.optional(z.literal('PENDING_REVIEW', { error: 'status must be PENDING_REVIEW (the review queue) / 仅支持待审核队列' })), 'PENDING_REVIEW'),
  branch: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, { error: 'branch must be 1–32 letters, digits, _ or - / 网点代码格式错误' }))),
});

export const approveBody = z.strictObject({ note: z.optional(text(500)) });
export const rejectBody = z.strictObject({ note: text(500) });
