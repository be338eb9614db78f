// Request bodies of the loans routes (docs/api.md, Loans; v1.1 co-borrower consents), zod.
import * as z from '../../shared/zod.ts';
import { accountNumber, bankAccountNumber, documentNumber, moneyEventDate, paginationShape, period, plainText, positiveYuan } from '../../shared/schemas.ts';
import { YUAN_PATTERN } from '../../shared/money.ts';
import type { LoanApplication } from './domain/loan.ts';
import { documentIdList } from '../documents/public.ts';

const YUAN_MESSAGE = 'amount must be a string in yuan with at most two decimals, e.g. "1500.50" (no numbers, signs, exponents or spaces) / 金额须为字符串，最多两位小数';
/**
 * Request money of the loans routes: the kernel's `positiveYuan` (at most MAX_AMOUNT_FEN, more than
 * zero), behind the yuan pattern checked first. A stopgap: the kernel's `yuanText` runs its maximum
 * check (yuanToFen, which throws) also on a string its pattern refused ("-100", " 100", "1e5"), a 500
 * (reported to the coordinator); harmless once the kernel guards it.
 */
const money = z.pipe(z.string({ error: YUAN_MESSAGE }).check(z.regex(YUAN_PATTERN, { error: YUAN_MESSAGE })), positiveYuan);


const applicationShape = {
  accountNo: accountNumber,
  coBorrowerAccountNo: z.optional(accountNumber),
  housePrice: money,
  firstHome: z.boolean(),
  termMonths: z.int().check(z.gte(1), z.lte(1200)),
  monthlyIncome: money,
  borrowerCategory: z.enum(['STANDARD', 'TALENT', 'GRASSROOTS_CIVIL_SERVANT']),
  location: z.enum(['DISTRICT', 'COUNTY']),
  repaymentMethod: z.enum(['EQUAL_INSTALLMENT', 'EQUAL_PRINCIPAL']),
};
export const quoteBody = z.strictObject(applicationShape);
/** An application may carry `documentIds`: STORED documents the member uploaded (POST /v1/documents), attached and archived with it. */
export const applicationBody = z.strictObject({ ...applicationShape, amount: money, documentIds: z.optional(documentIdList) });

export const application = ({ housePrice, monthlyIncome, ...rest }: z.infer<typeof quoteBody>): LoanApplication => ({ ...rest, housePriceFen: housePrice, monthlyIncomeFen: monthlyIncome });

export const reviewBody = z.strictObject({ note: z.optional(plainText(1000, { multiline: true })) });
/**
 * The seller a disbursement pays (api.md v1.1): a person or a company, so its name is printable text
 * (a company name has parentheses and digits a person's name has not), and a bank account number.
 */
export const payee = z.strictObject({ name: plainText(100), bankAccount: bankAccountNumber });
/** A disbursement is a money event: dated from the start of the policy history to today; it pays the seller (`payee`). */
export const disburseBody = z.strictObject({ disbursedOn: moneyEventDate, dueDay: z.optional(z.int().check(z.gte(1), z.lte(31))), payee });
/** A new payment of a disbursement whose payment failed, to a corrected payee. */
export const disbursementPaymentBody = z.strictObject({ payee });
/** The bank's repayment report: paid on a date of the policy history up to today; its reference is a document number (canonical form stored and compared). */
export const repaymentBody = z.strictObject({ amount: money, paidOn: moneyEventDate, bankRef: documentNumber() });
export const prepaymentBody = z
  .strictObject({
    amount: z.optional(money),
    full: z.optional(z.literal(true)),
    recalculation: z.optional(z.enum(['REDUCE_TERM', 'REDUCE_PAYMENT'])),
    source: z.enum(['BANK', 'ACCOUNT']),
  })
  .check(
    z.refine((b) => (b.amount === undefined) !== (b.full === undefined), { error: 'give either amount or full: true / 须提供 amount 或 full: true 之一', path: ['amount'] }),
    z.refine((b) => b.full || b.recalculation, { error: 'recalculation is required for a partial prepayment / 部分提前还款须选择重算方式', path: ['recalculation'] }),
  );
export const offsetBody = z.strictObject({ enabled: z.literal(true) });
export const deferralBody = z
  .strictObject({ fromPeriod: period, toPeriod: period, reason: plainText(500, { multiline: true }) })
  .check(z.refine((b) => b.fromPeriod <= b.toPeriod, { error: 'fromPeriod must not be after toPeriod / 起始期间不能晚于结束期间', path: ['toPeriod'] }));

export const consentBody = z.strictObject({ borrowerAccountNo: accountNumber });

/**
 * GET /v1/loans: the staff queues, APPLIED (to review, the default) or APPROVED (to disburse); no
 * index lists the other statuses.
 */
export const loanQueueQuery = z.strictObject({
  ...paginationShape,
  status: z._default(z.optional(z.enum(['APPLIED', 'APPROVED'], { error: 'status must be APPLIED (to review) or APPROVED (to disburse) / 仅支持待审批（APPLIED）或待放款（APPROVED）队列' })), 'APPLIED'),
  branch: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, { error: 'branch must be 1–32 letters, digits, _ or - / 网点代码格式错误' }))),
});
