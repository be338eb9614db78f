// HTTP entry point of the loans domain (docs/api.md, Loans; v1.1 co-borrower consents): parse, call
// one use case, answer. Bodies: schemas.ts.
import { accepts, httpHandler, route } from '../../shared/http.ts';
import { requestOrigin } from '../certificates/public.ts';
import { payoffCertificateFor } from './usecases/certificate.ts';
import { applyForLoan, giveConsent, quote, withdrawConsentOf } from './usecases/applications.ts';
import { disburse, loanQueue, readLoan, readSchedule, review } from './usecases/lifecycle.ts';
import { prepay, repayFromBank } from './usecases/repayments.ts';
import { payDisbursementAgain } from './usecases/disbursement-payments.ts';
import { deferInstallments, setOffset } from './usecases/agreements.ts';
import { application, applicationBody, consentBody, deferralBody, disburseBody, disbursementPaymentBody, loanQueueQuery, offsetBody, prepaymentBody, quoteBody, repaymentBody, reviewBody } from './schemas.ts';

const ok = (body: unknown) => ({ status: 200, body });

export const handler = httpHandler('loans', {
  'POST /v1/loan-quotes': route({ summary: "Quote a loan / 贷款额度试算", description: "The maximum amount and rate for a purchase, with the four limits (product cap, balance multiple, loan-to-value, repayment capacity) and which one binds. Changes nothing. / 试算可贷额度及四项限额。", errors: ["NOT_ELIGIBLE", "POLICY_VIOLATION"], example: {"body": {"accountNo": "330100000125", "housePrice": "2000000", "firstHome": true, "termMonths": 240, "monthlyIncome": "20000", "borrowerCategory": "TALENT", "location": "DISTRICT", "repaymentMethod": "EQUAL_INSTALLMENT"}, "response": {"maxAmount": "800000.00", "annualRate": "2.6", "limits": {"productCap": "1000000.00", "balanceMultiple": "800000.00", "loanToValue": "1600000.00", "repaymentCapacity": "1200000.00"}, "binding": "balanceMultiple"}}, roles: ['member', 'staff'], body: quoteBody, handle: async (req) => ok(await quote(req.caller, application(req.body))) }),
  'POST /v1/loans': route({
    summary: "Apply for a loan / 贷款申请",
    description: "The owner applies with the quote's fields and an amount → 201 APPLIED, or 422 NOT_ELIGIBLE with reasons. / 按试算字段与金额申请贷款。",
    errors: ["INVALID_STATE", "POLICY_VIOLATION", "NOT_ELIGIBLE"],
    example: {"body": {"accountNo": "330100000125", "housePrice": "2000000", "firstHome": true, "termMonths": 240, "monthlyIncome": "20000", "borrowerCategory": "TALENT", "location": "DISTRICT", "repaymentMethod": "EQUAL_INSTALLMENT", "amount": "600000"}, "response": {"loanId": "LN0001", "status": "APPLIED"}},
    roles: ['member'],
    body: applicationBody,
    idempotent: { status: 201 },
    handle: ({ caller, body: { amount, documentIds, ...rest }, idempotency }) => applyForLoan(caller, { ...application(rest), amountFen: amount, ...(documentIds ? { documentIds } : {}) }, idempotency),
  }),
  'GET /v1/loans': route({
    summary: "The loan review queue / 贷款待审批队列",
    description: "The staff queues (staff): APPLIED loans to review (the default) or APPROVED loans to disburse, oldest application first, each the loan with its branch, reviewDueOn (approvalDays after the application) and overdueForReview; a branch clerk sees their branch / 待审批（或待放款）贷款，按申请先后，含审批期限。",
    example: {"query": {"status": "APPLIED", "branch": "HZ-SC", "limit": "50"}, "response": {"items": [{"loanId": "LN0001", "accountNo": "330100000125", "coBorrowerAccountNo": null, "status": "APPLIED", "principal": "600000.00", "outstandingPrincipal": "600000.00", "annualRate": "2.6", "termMonths": 240, "repaymentMethod": "EQUAL_INSTALLMENT", "nextDue": null, "overdue": {"installments": 0, "amount": "0.00", "penaltyInterest": "0.00"}, "riskClass": "NORMAL", "offset": {"enabled": false}, "appliedOn": "2026-12-01", "decision": null, "disbursedOn": null, "payee": null, "payment": null, "dueDay": null, "paidOffOn": null, "maturityDate": null, "branch": "HZ-SC", "reviewDueOn": "2026-12-16", "overdueForReview": false}], "nextCursor": null}},
    roles: ['staff'],
    query: loanQueueQuery,
    handle: async (req) => ok(await loanQueue(req.caller, req.query)),
  }),
  'POST /v1/loans/{loanId}/approve': route({ summary: "Approve a loan / 贷款审批通过", description: "Staff approve an APPLIED loan. / 经办人员审批通过。", errors: ["INVALID_STATE", "POLICY_VIOLATION", "NOT_ELIGIBLE"], example: {"body": {"note": "资料齐全"}}, roles: ['staff'], body: reviewBody, idempotent: { status: 200 }, handle: (req) => review(req.caller, req.params.loanId, 'APPROVED', req.body.note, req.idempotency) }),
  'POST /v1/loans/{loanId}/reject': route({ summary: "Reject a loan / 贷款审批驳回", description: "Staff reject an APPLIED loan with a note. / 经办人员驳回贷款申请。", errors: ["INVALID_STATE"], example: {"body": {"note": "收入证明不足"}}, roles: ['staff'], body: reviewBody, idempotent: { status: 200 }, handle: (req) => review(req.caller, req.params.loanId, 'REJECTED', req.body.note, req.idempotency) }),
  'POST /v1/loans/{loanId}/disburse': route({ summary: "Disburse a loan / 贷款发放", description: "An APPROVED loan becomes ACTIVE with its schedule; a payment order pays the seller (payee). / 发放贷款，生成还款计划并向售房方付款。", errors: ["INVALID_STATE", "POLICY_VIOLATION"], example: {"body": {"disbursedOn": "2026-12-01", "payee": {"name": "杭州安居置业有限公司", "bankAccount": "6222021234567890123"}}}, roles: ['staff'], body: disburseBody, idempotent: { status: 200 }, handle: (req) => disburse(req.caller, req.params.loanId, req.body, req.idempotency) }),
  'POST /v1/loans/{loanId}/disbursement-payments': route({
    summary: "Pay a failed disbursement again / 放款失败后重新支付",
    description: "Pay a disbursement again after the bank could not pay the seller (payment FAILED): a new payment order to the corrected payee / 放款支付失败后，向更正后的收款方重新支付。",
    errors: ["INVALID_STATE"],
    example: {"body": {"payee": {"name": "杭州安居置业有限公司", "bankAccount": "6222021234567890123"}}},
    roles: ['staff'],
    body: disbursementPaymentBody,
    idempotent: { status: 201 },
    handle: (req) => payDisbursementAgain(req.caller, req.params.loanId, req.body, req.idempotency),
  }),
  'GET /v1/loans/{loanId}': route({ summary: "A loan / 查询贷款", description: "The loan: status, principal, outstanding principal, rate, term, next due installment and what is overdue. / 贷款信息、余额与逾期情况。", example: {"response": {"loanId": "LN0001", "accountNo": "330100000125", "status": "ACTIVE", "principal": "600000.00", "outstandingPrincipal": "598000.00", "annualRate": "2.6", "termMonths": 240, "repaymentMethod": "EQUAL_INSTALLMENT", "nextDue": {"no": 2, "dueDate": "2027-01-10", "payment": "3208.43"}, "overdue": {"installments": 0, "amount": "0.00"}}}, roles: ['member', 'staff', 'auditor'], handle: async (req) => ok(await readLoan(req.caller, req.params.loanId)) }),
  'GET /v1/loans/{loanId}/schedule': route({ summary: "A loan's schedule / 还款计划", description: "Every installment with its due date, payment, principal, interest, remaining principal and status. / 逐期还款计划。", roles: ['member', 'staff', 'auditor'], handle: async (req) => ok(await readSchedule(req.caller, req.params.loanId)) }),
  'POST /v1/loans/{loanId}/repayments': route({
    summary: "Record a bank repayment / 登记还款",
    description: "Staff record a repayment the bank reported: it pays the oldest due installments first. / 登记银行代扣还款，先还最早到期。",
    errors: ["INVALID_STATE", "POLICY_VIOLATION"],
    example: {"body": {"amount": "3208.43", "paidOn": "2026-11-10", "bankRef": "BANK-20261210-0001"}},
    roles: ['staff'],
    body: repaymentBody,
    idempotent: { status: 201 },
    handle: ({ caller, params, body, idempotency }) => repayFromBank(caller, params.loanId, { amountFen: body.amount, paidOn: body.paidOn, bankRef: body.bankRef }, idempotency),
  }),
  'POST /v1/loans/{loanId}/prepayments': route({
    summary: "Prepay a loan / 提前还款",
    description: "Prepays an amount or the whole loan from the bank or the member's account, reducing the term or the payment. / 部分或全部提前还款。",
    errors: ["INVALID_STATE", "INSUFFICIENT_BALANCE", "POLICY_VIOLATION"],
    example: {"body": {"amount": "10000", "recalculation": "REDUCE_TERM", "source": "BANK"}},
    roles: ['member', 'staff'],
    body: prepaymentBody,
    idempotent: { status: 201 },
    handle: ({ caller, params, body, idempotency }) => prepay(caller, params.loanId, { amountFen: body.amount, full: body.full === true, recalculation: body.recalculation, source: body.source }, idempotency),
  }),
  'PUT /v1/loans/{loanId}/offset': route({ summary: "Sign the monthly offset / 签约月对冲", description: "The borrower signs the monthly offset (月对冲): each installment is paid from their fund account. / 签约以公积金账户按月冲还贷款。", errors: ["INVALID_STATE"], example: {"body": {"enabled": true}}, roles: ['member'], body: offsetBody, handle: async (req) => setOffset(req.caller, req.params.loanId, true) }),
  'DELETE /v1/loans/{loanId}/offset': route({ summary: "Cancel the monthly offset / 解约月对冲", description: "The borrower cancels the monthly offset. / 取消月对冲。", errors: ["INVALID_STATE"], roles: ['member'], handle: async (req) => setOffset(req.caller, req.params.loanId, false) }),
  'POST /v1/loans/{loanId}/deferrals': route({ summary: "Defer installments (hardship) / 困难缓还", description: "Staff defer the installments of the periods from..to; they move after the last regular installment. / 困难情形下缓还所列期间的还款。", errors: ["INVALID_STATE", "POLICY_VIOLATION"], example: {"body": {"fromPeriod": "2027-01", "toPeriod": "2027-03", "reason": "重大疾病"}}, roles: ['staff'], body: deferralBody, idempotent: { status: 201 }, handle: (req) => deferInstallments(req.caller, req.params.loanId, req.body, req.idempotency) }),
  'POST /v1/co-borrower-consents': route({ summary: "Consent as a co-borrower / 共同借款人授权", description: "The co-borrower consents to a borrower naming them in a quote or application, valid 90 days. / 共同借款人授权，有效期 90 天。", errors: ["INVALID_STATE", "NOT_ELIGIBLE"], example: {"body": {"borrowerAccountNo": "330100000125"}, "response": {"consentId": "CS0001", "borrowerAccountNo": "330100000125", "coBorrowerAccountNo": "330100000455", "validUntil": "2027-03-01"}}, roles: ['member'], body: consentBody, idempotent: { status: 201 }, handle: (req) => giveConsent(req.caller, req.body, req.idempotency) }),
  'DELETE /v1/co-borrower-consents/{consentId}': route({ summary: "Withdraw a consent / 撤回共同借款人授权", description: "The consenting member withdraws an unused consent → 204. / 撤回尚未使用的授权。", errors: ["INVALID_STATE"], roles: ['member'], handle: (req) => withdrawConsentOf(req.caller, req.params.consentId) }),
  'GET /v1/loans/{loanId}/payoff-certificate': route({
    summary: "The payoff certificate / 贷款结清证明",
    description: "The payoff certificate (贷款结清证明) of a closed loan with its verification code; the PDF with Accept: application/pdf / 已结清贷款的结清证明（JSON 或 PDF）。",
    errors: ["INVALID_STATE"],
    roles: ['member', 'staff', 'auditor'],
    handle: (req) => payoffCertificateFor(req.caller, req.params.loanId, { pdf: accepts(req.headers, 'application/pdf'), origin: requestOrigin(req.event) }),
  }),
});
