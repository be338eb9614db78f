// HTTP entry point of the deposits domain (归集): parse, call one use case, map. api.md "Collection".
import { accepts, httpHandler, route } from '../../shared/http.ts';
import { requestOrigin } from '../certificates/public.ts';
import * as s from './schemas.ts';
import * as units from './usecases/units.ts';
import * as remittances from './usecases/remittances.ts';
import * as accounts from './usecases/accounts.ts';
import * as interest from './usecases/interest.ts';
import { depositCertificateFor } from './usecases/certificates.ts';

const UNIT_ACTORS = ['staff', 'unit'] as const;
const ACCOUNT_READERS = ['member', 'unit', 'staff', 'auditor'] as const;
const UNIT_READERS = ['unit', 'staff', 'auditor'] as const;

export const handler = httpHandler('deposits', {
  'POST /v1/units': route({
    roles: ['staff'],
    body: s.registerUnitBody,
    idempotent: { status: 201 },
    handle: (req) => units.registerUnit(req.caller, req.body, req.idempotency),
  }),
  'GET /v1/units/{unitId}': route({
    roles: UNIT_READERS,
    handle: async (req) => ({ status: 200, body: await units.getUnitView(req.caller, req.params.unitId) }),
  }),
  'PATCH /v1/units/{unitId}': route({
    roles: UNIT_ACTORS,
    body: s.changeUnitBody,
    handle: async (req) => ({ status: 200, body: await units.changeUnit(req.caller, req.params.unitId, req.body) }),
  }),
  'POST /v1/units/{unitId}/employees': route({
    roles: UNIT_ACTORS,
    body: s.hireBody,
    idempotent: { status: 201 },
    handle: (req) => units.hireEmployee(req.caller, req.params.unitId, { idNumber: req.body.idNumber, name: req.body.name, monthlyBaseFen: req.body.monthlyBase, startPeriod: req.body.startPeriod }, req.idempotency),
  }),
  'GET /v1/units/{unitId}/employees': route({
    roles: UNIT_READERS,
    query: s.pageQuery,
    handle: async (req) => ({ status: 200, body: await units.listEmployees(req.caller, req.params.unitId, req.query.limit, req.query.cursor) }),
  }),
  'POST /v1/units/{unitId}/employees/{accountNo}/seal': route({
    roles: UNIT_ACTORS,
    idempotent: { status: 200 },
    handle: (req) => units.sealEmployee(req.caller, req.params.unitId, req.params.accountNo, req.idempotency),
  }),
  'POST /v1/units/{unitId}/base-adjustments': route({
    roles: UNIT_ACTORS,
    body: s.baseAdjustmentBody,
    idempotent: { status: 201 },
    handle: (req) => units.adjustBases(req.caller, req.params.unitId, { year: req.body.year, items: req.body.items.map((i) => ({ accountNo: i.accountNo, monthlyBaseFen: i.monthlyBase })) }, req.idempotency),
  }),
  'POST /v1/units/{unitId}/deferrals': route({
    roles: ['staff'],
    body: s.deferralBody,
    idempotent: { status: 201 },
    handle: (req) => units.approveDeferral(req.caller, req.params.unitId, req.body, req.idempotency),
  }),
  'POST /v1/units/{unitId}/remittances': route({
    roles: UNIT_ACTORS,
    body: s.remittanceBody,
    idempotent: { status: 201 },
    handle: (req) => remittances.createRemittance(req.caller, req.params.unitId, req.body, req.idempotency),
  }),
  'GET /v1/remittances/{remittanceId}': route({
    roles: UNIT_READERS,
    handle: async (req) => ({ status: 200, body: await remittances.getRemittanceView(req.caller, req.params.remittanceId) }),
  }),
  'POST /v1/remittances/{remittanceId}/settlements': route({
    roles: ['staff'],
    body: s.settlementBody,
    idempotent: { status: 202 },
    handle: (req) => remittances.settleRemittance(req.caller, req.params.remittanceId, { amountFen: req.body.amount, bankRef: req.body.bankRef }, req.idempotency),
  }),
  'POST /v1/flexible-accounts': route({
    roles: ['member', 'staff'],
    body: s.flexibleBody,
    idempotent: { status: 201 },
    handle: (req) => accounts.openFlexibleAccount(req.caller, { idNumber: req.body.idNumber, name: req.body.name, monthlyBaseFen: req.body.monthlyBase, ratePercent: req.body.rate }, req.idempotency),
  }),
  'POST /v1/accounts/{accountNo}/deposits': route({
    roles: ['staff'],
    body: s.depositBody,
    idempotent: { status: 201 },
    handle: (req) => accounts.depositToFlexible(req.caller, req.params.accountNo, { period: req.body.period, amountFen: req.body.amount, bankRef: req.body.bankRef }, req.idempotency),
  }),
  'GET /v1/accounts/{accountNo}': route({
    roles: ACCOUNT_READERS,
    handle: async (req) => ({ status: 200, body: await accounts.getAccountView(req.caller, req.params.accountNo) }),
  }),
  'GET /v1/accounts/{accountNo}/deposit-certificate': route({
    roles: ['member', 'staff'],
    summary: 'The deposit certificate (缴存证明) of the account: its data (JSON), or the PDF with Accept: application/pdf',
    handle: (req) => depositCertificateFor(req.caller, req.params.accountNo, { pdf: accepts(req.headers, 'application/pdf'), origin: requestOrigin(req.event) }),
  }),
  'POST /v1/accounts/{accountNo}/freeze': route({
    roles: ['staff', 'auditor'],
    body: s.freezeBody,
    idempotent: { status: 200 },
    handle: (req) => accounts.freezeAccount(req.caller, req.params.accountNo, req.body, req.idempotency),
  }),
  'POST /v1/accounts/{accountNo}/unfreeze': route({
    roles: ['staff', 'auditor'],
    body: s.unfreezeBody,
    idempotent: { status: 200 },
    handle: (req) => accounts.unfreezeAccount(req.caller, req.params.accountNo, req.body, req.idempotency),
  }),
  'GET /v1/accounts/{accountNo}/entries': route({
    roles: ACCOUNT_READERS,
    query: s.pageQuery,
    handle: async (req) => ({ status: 200, body: await accounts.statement(req.caller, req.params.accountNo, req.query.limit, req.query.cursor) }),
  }),
  'POST /v1/interest-settlements': route({
    roles: ['admin'],
    body: s.interestBody,
    idempotent: { status: 202 },
    handle: (req) => interest.startInterestRun(req.body.year, req.idempotency),
  }),
  'GET /v1/interest-settlements/{runId}': route({
    roles: ['admin', 'auditor'],
    handle: async (req) => ({ status: 200, body: await interest.getRunView(req.params.runId) }),
  }),
});
