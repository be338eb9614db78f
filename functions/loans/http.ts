// HTTP entry point of the loans domain (docs/api.md, Loans): parse, call one use case, answer.
import * as z from '../../shared/zod.ts';
import { httpHandler, route } from '../../shared/http.ts';
import { isoDate, period, positiveYuan } from '../../shared/schemas.ts';
import { isAccountNo } from '../../shared/ids.ts';
import { applyForLoan, deferInstallments, disburse, payoffCertificate, prepay, quote, readLoan, readSchedule, repayFromBank, review, setOffset } from './service.ts';
import type { LoanApplication } from './domain/loan.ts';

const accountNo = z.string().check(z.refine(isAccountNo, { error: 'accountNo must be a 12-digit account number / 账号格式错误' }));

const applicationShape = {
  accountNo,
  coBorrowerAccountNo: z.optional(accountNo),
  housePrice: positiveYuan,
  firstHome: z.boolean(),
  termMonths: z.int().check(z.gte(1), z.lte(1200)),
  monthlyIncome: positiveYuan,
  borrowerCategory: z.enum(['STANDARD', 'TALENT', 'GRASSROOTS_CIVIL_SERVANT']),
  location: z.enum(['DISTRICT', 'COUNTY']),
  repaymentMethod: z.enum(['EQUAL_INSTALLMENT', 'EQUAL_PRINCIPAL']),
};
const quoteBody = z.strictObject(applicationShape);
const applicationBody = z.strictObject({ ...applicationShape, amount: positiveYuan });

const application = ({ housePrice, monthlyIncome, ...rest }: z.infer<typeof quoteBody>): LoanApplication => ({ ...rest, housePriceFen: housePrice, monthlyIncomeFen: monthlyIncome });

const reviewBody = z.strictObject({ note: z.optional(z.string().check(z.maxLength(1000))) });
const disburseBody = z.strictObject({ disbursedOn: isoDate, dueDay: z.optional(z.int().check(z.gte(1), z.lte(31))) });
const repaymentBody = z.strictObject({ amount: positiveYuan, paidOn: isoDate, bankRef: z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,64}$/)) });
const prepaymentBody = z
  .strictObject({
    amount: z.optional(positiveYuan),
    full: z.optional(z.literal(true)),
    recalculation: z.optional(z.enum(['REDUCE_TERM', 'REDUCE_PAYMENT'])),
    source: z.enum(['BANK', 'ACCOUNT']),
  })
  .check(
    z.refine((b) => (b.amount === undefined) !== (b.full === undefined), { error: 'give either amount or full: true / 须提供 amount 或 full: true 之一', path: ['amount'] }),
    z.refine((b) => b.full || b.recalculation, { error: 'recalculation is required for a partial prepayment / 部分提前还款须选择重算方式', path: ['recalculation'] }),
  );
const offsetBody = z.strictObject({ enabled: z.literal(true) });
const deferralBody = z
  .strictObject({ fromPeriod: period, toPeriod: period, reason: z.string().check(z.minLength(1), z.maxLength(500)) })
  .check(z.refine((b) => b.fromPeriod <= b.toPeriod, { error: 'fromPeriod must not be after toPeriod / 起始期间不能晚于结束期间', path: ['toPeriod'] }));

const ok = (body: unknown) => ({ status: 200, body });

export const handler = httpHandler('loans', {
  'POST /v1/loan-quotes': route({ roles: ['member', 'staff'], body: quoteBody, handle: async (req) => ok(await quote(req.caller, application(req.body))) }),
  'POST /v1/loans': route({
    roles: ['member'],
    body: applicationBody,
    idempotent: { status: 201 },
    handle: ({ caller, body: { amount, ...rest }, idempotency }) => applyForLoan(caller, { ...application(rest), amountFen: amount }, idempotency),
  }),
  'POST /v1/loans/{loanId}/approve': route({ roles: ['staff'], body: reviewBody, idempotent: { status: 200 }, handle: (req) => review(req.caller, req.params.loanId, 'APPROVED', req.body.note, req.idempotency) }),
  'POST /v1/loans/{loanId}/reject': route({ roles: ['staff'], body: reviewBody, idempotent: { status: 200 }, handle: (req) => review(req.caller, req.params.loanId, 'REJECTED', req.body.note, req.idempotency) }),
  'POST /v1/loans/{loanId}/disburse': route({ roles: ['staff'], body: disburseBody, idempotent: { status: 200 }, handle: (req) => disburse(req.caller, req.params.loanId, req.body, req.idempotency) }),
  'GET /v1/loans/{loanId}': route({ roles: ['member', 'staff', 'auditor'], handle: async (req) => ok(await readLoan(req.caller, req.params.loanId)) }),
  'GET /v1/loans/{loanId}/schedule': route({ roles: ['member', 'staff', 'auditor'], handle: async (req) => ok(await readSchedule(req.caller, req.params.loanId)) }),
  'POST /v1/loans/{loanId}/repayments': route({
    roles: ['staff'],
    body: repaymentBody,
    idempotent: { status: 201 },
    handle: ({ caller, params, body, idempotency }) => repayFromBank(caller, params.loanId, { amountFen: body.amount, paidOn: body.paidOn, bankRef: body.bankRef }, idempotency),
  }),
  'POST /v1/loans/{loanId}/prepayments': route({
    roles: ['member', 'staff'],
    body: prepaymentBody,
    idempotent: { status: 201 },
    handle: ({ caller, params, body, idempotency }) => prepay(caller, params.loanId, { amountFen: body.amount, full: body.full === true, recalculation: body.recalculation, source: body.source }, idempotency),
  }),
  'PUT /v1/loans/{loanId}/offset': route({ roles: ['member'], body: offsetBody, handle: async (req) => setOffset(req.caller, req.params.loanId, true) }),
  'DELETE /v1/loans/{loanId}/offset': route({ roles: ['member'], handle: async (req) => setOffset(req.caller, req.params.loanId, false) }),
  'POST /v1/loans/{loanId}/deferrals': route({ roles: ['staff'], body: deferralBody, idempotent: { status: 201 }, handle: (req) => deferInstallments(req.caller, req.params.loanId, req.body, req.idempotency) }),
  'GET /v1/loans/{loanId}/payoff-certificate': route({ roles: ['member', 'staff', 'auditor'], handle: async (req) => ok(await payoffCertificate(req.caller, req.params.loanId)) }),
});
