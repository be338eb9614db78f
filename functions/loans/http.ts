// HTTP entry point of the loans domain (docs/api.md, Loans; v1.1 co-borrower consents): parse, call
// one use case, answer. Bodies: schemas.ts.
import { accepts, httpHandler, route } from '../../shared/http.ts';
import { requestOrigin } from '../certificates/public.ts';
import { payoffCertificateFor } from './usecases/certificate.ts';
import { applyForLoan, giveConsent, quote, withdrawConsentOf } from './usecases/applications.ts';
import { disburse, readLoan, readSchedule, review } from './usecases/lifecycle.ts';
import { prepay, repayFromBank } from './usecases/repayments.ts';
import { payDisbursementAgain } from './usecases/disbursement-payments.ts';
import { deferInstallments, setOffset } from './usecases/agreements.ts';
import { application, applicationBody, consentBody, deferralBody, disburseBody, disbursementPaymentBody, offsetBody, prepaymentBody, quoteBody, repaymentBody, reviewBody } from './schemas.ts';

const ok = (body: unknown) => ({ status: 200, body });

export const handler = httpHandler('loans', {
  'POST /v1/loan-quotes': route({ roles: ['member', 'staff'], body: quoteBody, handle: async (req) => ok(await quote(req.caller, application(req.body))) }),
  'POST /v1/loans': route({
    roles: ['member'],
    body: applicationBody,
    idempotent: { status: 201 },
    handle: ({ caller, body: { amount, documentIds, ...rest }, idempotency }) => applyForLoan(caller, { ...application(rest), amountFen: amount, ...(documentIds ? { documentIds } : {}) }, idempotency),
  }),
  'POST /v1/loans/{loanId}/approve': route({ roles: ['staff'], body: reviewBody, idempotent: { status: 200 }, handle: (req) => review(req.caller, req.params.loanId, 'APPROVED', req.body.note, req.idempotency) }),
  'POST /v1/loans/{loanId}/reject': route({ roles: ['staff'], body: reviewBody, idempotent: { status: 200 }, handle: (req) => review(req.caller, req.params.loanId, 'REJECTED', req.body.note, req.idempotency) }),
  'POST /v1/loans/{loanId}/disburse': route({ roles: ['staff'], body: disburseBody, idempotent: { status: 200 }, handle: (req) => disburse(req.caller, req.params.loanId, req.body, req.idempotency) }),
  'POST /v1/loans/{loanId}/disbursement-payments': route({
    summary: 'Pay a disbursement again after the bank could not pay the seller (payment FAILED): a new payment order to the corrected payee / 放款失败后重新支付',
    roles: ['staff'],
    body: disbursementPaymentBody,
    idempotent: { status: 201 },
    handle: (req) => payDisbursementAgain(req.caller, req.params.loanId, req.body, req.idempotency),
  }),
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
  'POST /v1/co-borrower-consents': route({ roles: ['member'], body: consentBody, idempotent: { status: 201 }, handle: (req) => giveConsent(req.caller, req.body, req.idempotency) }),
  'DELETE /v1/co-borrower-consents/{consentId}': route({ roles: ['member'], handle: (req) => withdrawConsentOf(req.caller, req.params.consentId) }),
  'GET /v1/loans/{loanId}/payoff-certificate': route({
    roles: ['member', 'staff', 'auditor'],
    summary: 'The payoff certificate (贷款结清证明) of a closed loan with its verification code; the PDF with Accept: application/pdf',
    handle: (req) => payoffCertificateFor(req.caller, req.params.loanId, { pdf: accepts(req.headers, 'application/pdf'), origin: requestOrigin(req.event) }),
  }),
});
