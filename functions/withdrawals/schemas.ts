// Request shapes of the withdrawals API (api.md, Withdrawals): one strict object per reason with the
// evidence that reason asks for, nothing more. Money inside the evidence stays the yuan string the
// member submitted (the archive keeps what was submitted); the withdrawal `amount` becomes fen.
//
// Every document number of the evidence (contracts, certificates, permits, leases, receipts, filings,
// loan contracts) is the kernel's `documentNumber`: its canonical form (NFKC, Latin upper case) is what
// is stored, hashed and compared by the fraud rules; an invisible or look-alike character is a 400,
// never stripped (issue 14). Names are `personName`, other text `plainText`, the payee account
// `bankAccountNumber`, evidence money is bounded by the kernel maximum and dates lie in a plausible window.
import * as z from '../../shared/zod.ts';
import { accountNumber, bankAccountNumber, dateInWindow, documentNumber, personName, plainText, POLICY_HISTORY_START, positiveYuan, residentId, yuanText } from '../../shared/schemas.ts';
import { yuanToFen } from '../../shared/money.ts';
import { paginationShape } from '../../shared/schemas.ts';
import { documentIdList } from '../documents/public.ts';

/** A document number of the evidence: the kernel's canonical form (shared/text.ts). */
const docNo = () => documentNumber();

/** A positive yuan amount kept as the submitted string ("450000", "450000.5"), at most the kernel maximum. */
const positiveYuanText = yuanText.check(z.refine((s) => yuanToFen(s) > 0, { error: 'must be greater than zero / 金额须大于零' }));

/** The earliest plausible date of an event a member documents that predates the policy history (a retirement). */
const EARLIEST_LIFE_EVENT = '1950-01-01';
/** A retirement may be documented ahead of the day (the rules then answer 422 NOT_ELIGIBLE); not decades ahead. */
const RETIREMENT_MAX_DAYS_AHEAD = 366 * 5;

/**
 * A purchase is a money event: from the start of the policy history to today (400 outside); the
 * rules then ask for one within the policy's years (422 POLICY_VIOLATION).
 */
const purchaseDate = dateInWindow({ earliest: POLICY_HISTORY_START });
const retirementDate = dateInWindow({ earliest: EARLIEST_LIFE_EVENT, maxDaysAhead: RETIREMENT_MAX_DAYS_AHEAD });

/** An id of our own records (a loan id): 1–64 of the id alphabet. */
const recordId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1–64 letters, digits, _ or - / 编号格式错误' }));
/** Another center's code, in the interprovincial network's id alphabet (as before: at most 16). */
const centerCode = z.string().check(z.regex(/^[A-Za-z0-9_-]{2,16}$/, { error: 'centerCode must be 2–16 of [A-Za-z0-9_-] / 中心代码格式错误' }));

const purchase = { contractNo: docNo(), propertyCertificateNo: docNo(), price: positiveYuanText, purchaseDate };

/**
 * Uploaded evidence (scans of the contract, the receipt…): `documentIds` of STORED documents the
 * member uploaded (POST /v1/documents), 1–10, each attached to this withdrawal in its commit and
 * archived with it (documents/public.ts). Any reason's evidence may carry them; a partner's may not.
 */
const documents = { documentIds: z.optional(documentIdList) };

const rentEvidence = z.discriminatedUnion('housingKind', [
  z.strictObject({ housingKind: z.enum(['PUBLIC_RENTAL', 'AFFORDABLE_RENTAL']), leaseContractNo: docNo(), rentReceiptNo: docNo(), ...documents }),
  z.strictObject({ housingKind: z.literal('COMMERCIAL'), noHouseCertificateNo: docNo(), spouseNoHouseCertificateNo: z.optional(docNo()), ...documents }),
]);

/** Our own loan (`loanId`, or none: the account's active loan) or another center's (`centerCode` + `loanContractNo`). */
const hpfLoanEvidence = z
  .strictObject({ loanId: z.optional(recordId), centerCode: z.optional(centerCode), loanContractNo: z.optional(docNo()), ...documents })
  .check(
    z.superRefine((e, ctx) => {
      const other = e.centerCode !== undefined || e.loanContractNo !== undefined;
      if (e.loanId !== undefined && other) ctx.addIssue({ code: 'custom', path: ['loanId'], message: 'give loanId (ours) or centerCode + loanContractNo (another center), not both / 本中心贷款与异地贷款只能二选一' });
      if (other && e.centerCode === undefined) ctx.addIssue({ code: 'custom', path: ['centerCode'], message: 'required with loanContractNo / 异地贷款须提供中心代码' });
      if (other && e.loanContractNo === undefined) ctx.addIssue({ code: 'custom', path: ['loanContractNo'], message: 'required with centerCode / 异地贷款须提供贷款合同号' });
    }),
  );

const payeeBankAccount = bankAccountNumber;
const common = {
  accountNo: accountNumber,
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

const certificate = z.strictObject({ certificateNo: docNo(), ...documents });

export const applyWithdrawalBody = z
  .discriminatedUnion('reason', [
    z.strictObject({ ...common, reason: z.literal('PURCHASE'), evidence: z.strictObject({ ...purchase, ...documents }) }),
    z.strictObject({ ...common, reason: z.literal('OFFSITE_PURCHASE'), evidence: z.strictObject({ ...purchase, city: plainText(50), ...documents }) }),
    z.strictObject({ ...common, reason: z.literal('BUILD_REPAIR'), evidence: z.strictObject({ permitNo: docNo(), budget: positiveYuanText, ...documents }) }),
    z.strictObject({ ...common, reason: z.literal('RETIREMENT'), evidence: z.strictObject({ retirementDate, ...documents }) }),
    z.strictObject({ ...common, reason: z.literal('INCAPACITY'), evidence: certificate }),
    z.strictObject({ ...common, reason: z.literal('EMIGRATION'), evidence: certificate }),
    z.strictObject({ ...common, reason: z.literal('DEATH'), evidence: z.strictObject({ heirIdNumber: residentId, heirName: personName(), deathCertificateNo: docNo(), ...documents }) }),
    hpfLoanRepayment,
    z.strictObject({ ...common, reason: z.literal('COMMERCIAL_LOAN_REPAYMENT'), evidence: z.strictObject({ bankName: plainText(100), loanContractNo: docNo(), outstandingAmount: positiveYuanText, ...documents }) }),
    z.strictObject({ ...common, reason: z.literal('RENT'), evidence: rentEvidence }),
    z.strictObject({ ...common, reason: z.literal('ELEVATOR_RETROFIT'), evidence: z.strictObject({ projectFilingNo: docNo(), ownerShareAmount: positiveYuanText, ...documents }) }),
  ])
  .check(
    z.superRefine((b, ctx) => {
      if ((b.amount === undefined) === (b.full === undefined)) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'give exactly one of amount or full: true / 金额与全额提取须二选一' });
    }),
  );

/**
 * The evidence of a partner province's purchase withdrawal (public.ts `planPartnerPurchaseWithdrawal`):
 * exactly a PURCHASE withdrawal's evidence, with the city of the property when the partner names it.
 */
export const partnerPurchaseEvidence = z.strictObject({ ...purchase, city: z.optional(plainText(50)) });

/** The parsed request: the domain's `WithdrawalApplication` (plain types, money in fen), as the route passes it on. */
export type ApplyWithdrawalBody = z.infer<typeof applyWithdrawalBody>;

/** GET /v1/withdrawals: the review queue (only PENDING_REVIEW withdrawals wait in it). */
export const reviewQueueQuery = z.strictObject({
  ...paginationShape,
  status: z._default(z.optional(z.literal('PENDING_REVIEW', { error: 'status must be PENDING_REVIEW (the review queue) / 仅支持待审核队列' })), 'PENDING_REVIEW'),
  branch: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, { error: 'branch must be 1–32 letters, digits, _ or - / 网点代码格式错误' }))),
});

export const approveBody = z.strictObject({ note: z.optional(plainText(500, { multiline: true })) });
export const rejectBody = z.strictObject({ note: plainText(500, { multiline: true }) });
