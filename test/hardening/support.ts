// Shared setup of the hardening tests (authorisation matrix, fuzzing): a world of real resources made
// through the API (and the ledger fixtures), the twelve callers, one valid request per topology route,
// and THE authorisation table: the expected answer of every route to every caller, written once.
import { createServer, type Server } from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { routeKey, type RouteDef } from '../../infra/topology.ts';
import { baseUrl, call, adminToken, auditorToken, memberToken, staffToken, unitToken, type Res } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { randomCreditCode } from '../e2e/deposits-fixtures.ts';
import { problemCodes, type ProblemCode } from '../../shared/errors.ts';
import { signedHeaders } from '../../shared/signature.ts';
import { commit } from '../../shared/tx.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { fenToYuan } from '../../shared/money.ts';
import { controlTotals, getAccounts, ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import * as supervisionStore from '../../functions/supervision/store.ts';
import * as depositsStore from '../../functions/deposits/store.ts';
import * as settlementStore from '../../functions/settlement/store.ts';
import { suspenseItemIdOf } from '../../functions/settlement/domain/types.ts';

// ------------------------------------------------------------------------------------ callers

/** Who calls, relative to the world's resources (the employee account, its unit, its branch). */
export const CALLERS = [
  'none', // no credentials at all
  'member', // the owner of the employee account (and of its withdrawals and loan)
  'otherMember', // another member of the same branch
  'unit', // the agent of the employee's unit
  'otherUnit', // the agent of another unit
  'clerk', // staff of the resources' branch
  'otherClerk', // staff of another branch
  'cityClerk', // city-level staff (branch '*')
  'auditor',
  'admin',
  'partner', // a registered partner center, signed (owns the inbound request and the transfer)
  'otherPartner', // another registered partner center, signed
] as const;
export type CallerName = (typeof CALLERS)[number];

/** An allowed caller's answer that depends on the state earlier calls left: a success or a domain refusal. */
export const OK = 'ok';
export type Expected = number | typeof OK;
type Row = Record<CallerName, Expected>;

export const isAllowed = (e: Expected) => e === OK || ![401, 403, 404].includes(e);
export const matches = (e: Expected, status: number) => (e === OK ? (status >= 200 && status < 300) || status === 409 || status === 422 : status === e);

// ------------------------------------------------------------------------------------ the table

const everyone = (status: number): Row => Object.fromEntries(CALLERS.map((c) => [c, status])) as Row;
/** A JWT route: no token and partner signatures are 401 (the gateway's authoriser). */
const jwt = (row: Omit<Row, 'none' | 'partner' | 'otherPartner'>): Row => ({ none: 401, partner: 401, otherPartner: 401, ...row });

/**
 * The authorisation matrix, from api.md's "who" column, domain.md §1 (auditors read everything, a
 * member never sees another member's data, a unit agent never another unit's, a clerk never acts
 * outside the branch) and architecture.md (missing or bad credentials 401; a role mismatch 403; an
 * ownership mismatch 403, or 404 where revealing existence would leak: personal accounts, withdrawals,
 * loans, transfers, partners' requests). Routes run in topology order, callers in CALLERS order, so a
 * second allowed caller may meet the state the first one left (`OK`: 2xx, 409 or 422).
 */
export const EXPECTED: Record<string, Row> = {
  'POST /v1/documents': jwt({ member: 201, otherMember: 201, unit: 201, otherUnit: 201, clerk: 201, otherClerk: 201, cityClerk: 201, auditor: 403, admin: 403 }),
  'POST /v1/loans/{loanId}/disbursement-payments': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: OK, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  'GET /v1/accounts/{accountNo}/deposit-certificate': jwt({ member: OK, otherMember: 404, unit: 403, otherUnit: 403, clerk: OK, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  'GET /v1/certificates/{verificationCode}': everyone(200),
  'GET /v1/documents/{documentId}': jwt({ member: 200, otherMember: 404, unit: 404, otherUnit: 404, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'GET /v1/health': everyone(200),
  'GET /v1/openapi.json': everyone(200),

  // collection (deposits). Issue 14 (existence oracles): another unit's or another branch's unit and
  // remittance answer 404 like an unknown one
  'POST /v1/units': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 201, otherClerk: 403, cityClerk: 201, auditor: 403, admin: 403 }),
  'GET /v1/units/{unitId}': jwt({ member: 403, otherMember: 403, unit: 200, otherUnit: 404, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'PATCH /v1/units/{unitId}': jwt({ member: 403, otherMember: 403, unit: 200, otherUnit: 404, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 403, admin: 403 }),
  'POST /v1/units/{unitId}/employees': jwt({ member: 403, otherMember: 403, unit: 201, otherUnit: 404, clerk: 201, otherClerk: 404, cityClerk: 201, auditor: 403, admin: 403 }),
  'GET /v1/units/{unitId}/employees': jwt({ member: 403, otherMember: 403, unit: 200, otherUnit: 404, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'POST /v1/units/{unitId}/employees/{accountNo}/seal': jwt({ member: 403, otherMember: 403, unit: 200, otherUnit: 404, clerk: OK, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  'POST /v1/units/{unitId}/base-adjustments': jwt({ member: 403, otherMember: 403, unit: 201, otherUnit: 404, clerk: 201, otherClerk: 404, cityClerk: 201, auditor: 403, admin: 403 }),
  'POST /v1/units/{unitId}/deferrals': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 201, otherClerk: 404, cityClerk: 201, auditor: 403, admin: 403 }),
  'POST /v1/units/{unitId}/remittances': jwt({ member: 403, otherMember: 403, unit: 201, otherUnit: 404, clerk: 201, otherClerk: 404, cityClerk: 201, auditor: 403, admin: 403 }),
  // a unit's remittance lists: as its other reads (GET /v1/units/{unitId}/employees)
  'GET /v1/units/{unitId}/remittances': jwt({ member: 403, otherMember: 403, unit: 200, otherUnit: 404, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'GET /v1/remittances/{remittanceId}': jwt({ member: 403, otherMember: 403, unit: 200, otherUnit: 404, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'POST /v1/remittances/{remittanceId}/settlements': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 202, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  // a member opens a flexible account for themselves only (the ID number here is not theirs)
  'POST /v1/flexible-accounts': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 201, otherClerk: 201, cityClerk: 201, auditor: 403, admin: 403 }),
  'POST /v1/accounts/{accountNo}/deposits': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 201, otherClerk: 404, cityClerk: 201, auditor: 403, admin: 403 }),
  'GET /v1/accounts/{accountNo}': jwt({ member: 200, otherMember: 404, unit: 200, otherUnit: 404, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'GET /v1/accounts/{accountNo}/entries': jwt({ member: 200, otherMember: 404, unit: 200, otherUnit: 404, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  // api.md 1.1: city-level staff and auditors; the second of them meets the state the first left (409)
  'POST /v1/accounts/{accountNo}/freeze': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 200, auditor: OK, admin: 403 }),
  'POST /v1/accounts/{accountNo}/unfreeze': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 200, auditor: OK, admin: 403 }),
  // the admin asks for a year that has not ended: allowed, refused by policy (no run starts)
  'POST /v1/interest-settlements': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 422 }),
  'GET /v1/interest-settlements/{runId}': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 200, admin: 200 }),

  // withdrawals
  'POST /v1/withdrawals': jwt({ member: 201, otherMember: 404, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 403 }),
  // the review queue: staff; a branch clerk asking for another branch's queue is refused
  'GET /v1/withdrawals': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 403, cityClerk: 200, auditor: 403, admin: 403 }),
  'GET /v1/withdrawals/{withdrawalId}': jwt({ member: 200, otherMember: 404, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'GET /v1/accounts/{accountNo}/withdrawals': jwt({ member: 200, otherMember: 404, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'POST /v1/withdrawals/{withdrawalId}/approve': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  'POST /v1/withdrawals/{withdrawalId}/reject': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),

  // loans
  'POST /v1/loan-quotes': jwt({ member: 200, otherMember: 404, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 403, admin: 403 }),
  // the member already has an application: allowed, and refused or accepted by the eligibility rules
  'POST /v1/loans': jwt({ member: OK, otherMember: 404, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 403 }),
  // the loan review queue: staff, as the withdrawals' (a branch clerk asking for another branch's queue is refused)
  'GET /v1/loans': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 403, cityClerk: 200, auditor: 403, admin: 403 }),
  'POST /v1/loans/{loanId}/approve': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  'POST /v1/loans/{loanId}/reject': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  'POST /v1/loans/{loanId}/disburse': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  'GET /v1/loans/{loanId}': jwt({ member: 200, otherMember: 404, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'GET /v1/loans/{loanId}/schedule': jwt({ member: 200, otherMember: 404, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'POST /v1/loans/{loanId}/repayments': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: OK, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  'POST /v1/loans/{loanId}/prepayments': jwt({ member: 201, otherMember: 404, unit: 403, otherUnit: 403, clerk: 201, otherClerk: 404, cityClerk: 201, auditor: 403, admin: 403 }),
  'PUT /v1/loans/{loanId}/offset': jwt({ member: 200, otherMember: 404, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 403 }),
  'DELETE /v1/loans/{loanId}/offset': jwt({ member: 200, otherMember: 404, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 403 }),
  'POST /v1/loans/{loanId}/deferrals': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 201, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  // the loan is not CLOSED: allowed readers get 409
  'GET /v1/loans/{loanId}/payoff-certificate': jwt({ member: OK, otherMember: 404, unit: 403, otherUnit: 403, clerk: OK, otherClerk: 404, cityClerk: OK, auditor: OK, admin: 403 }),
  // any member may consent to co-borrow with the applicant (each for their own account)
  'POST /v1/co-borrower-consents': jwt({ member: 201, otherMember: 201, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 403 }),
  // the member's consent (made in the setup): another member is told it does not exist
  'DELETE /v1/co-borrower-consents/{consentId}': jwt({ member: 204, otherMember: 404, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 403 }),

  // supervision. A real audit run fans out over every account of the shared runtime, so the
  // auditor's request carries a malformed Idempotency-Key: 400 proves the role gate let it through.
  'POST /v1/supervision/audit-runs': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 400, admin: 403 }),
  'GET /v1/supervision/audit-runs/{runId}': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 200, admin: 403 }),
  'GET /v1/supervision/findings': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 200, admin: 403 }),
  'POST /v1/supervision/findings/{findingId}/resolve': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 200, admin: 403 }),
  // ?branch= the resources' branch
  'GET /v1/supervision/indicators': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 403, cityClerk: 200, auditor: 200, admin: 403 }),
  'GET /v1/supervision/indicators/history': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 403, cityClerk: 200, auditor: 200, admin: 403 }),
  // the member rates their own paid withdrawal; another member's is as if it did not exist
  'POST /v1/ratings': jwt({ member: 201, otherMember: 404, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 403 }),
  // the archive of the transfer to the member's account: auditors, staff of its branch, the member; anyone else 404
  'GET /v1/archive/{subjectType}/{subjectId}': jwt({ member: 200, otherMember: 404, unit: 404, otherUnit: 404, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 404 }),

  // inter-provincial: handled at city level (branch clerks 403)
  'PUT /v1/interprovincial/partners/{centerCode}': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 201 }),
  'POST /v1/interprovincial/requests': { ...everyone(401), partner: 202, otherPartner: 202 },
  // api.md: "partner (own), staff"; auditors read everything
  'GET /v1/interprovincial/requests/{trackingId}': { none: 401, member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 200, auditor: 200, admin: 403, partner: 200, otherPartner: 404 },
  'GET /v1/interprovincial/requests': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 200, auditor: 200, admin: 403 }),
  'POST /v1/interprovincial/transfer-requests': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 202, otherClerk: 404, cityClerk: OK, auditor: 403, admin: 403 }),
  'GET /v1/interprovincial/transfer-requests/{transferId}': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 200, otherClerk: 404, cityClerk: 200, auditor: 200, admin: 403 }),
  'POST /v1/interprovincial/transfer-requests/{transferId}/cancel': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 202, otherClerk: 404, cityClerk: 202, auditor: 403, admin: 403 }),
  'POST /v1/interprovincial/callbacks': { ...everyone(401), partner: 200, otherPartner: 404 },

  // banks and settlement (issue 16). The partners are registered as banks too (same code and secret):
  // on /v1/bank/ routes they sign with X-HPF-Bank. The other bank's notice is to an account that is
  // not its collection account (422); the result of another bank's order is as if it did not exist
  // (404). Suspense and payment orders belong to no branch: city-level staff and auditors read them,
  // city-level staff assign (the second assignment meets a REFUNDING item: 409)
  'PUT /v1/banks/{bankCode}': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 403, admin: 201 }),
  'POST /v1/bank/notifications': { ...everyone(401), partner: 200, otherPartner: 422 },
  'POST /v1/bank/payment-results': { ...everyone(401), partner: 200, otherPartner: 404 },
  'GET /v1/bank/payments': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 200, auditor: 200, admin: 403 }),
  'GET /v1/bank/suspense': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 200, auditor: 200, admin: 403 }),
  'POST /v1/bank/suspense/{itemId}/assign': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: OK, auditor: 403, admin: 403 }),
  // bank reconciliation (银行对账): an auditor starts a run; auditors and city-level staff read it
  'POST /v1/bank/reconciliations': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 403, auditor: 202, admin: 403 }),
  'GET /v1/bank/reconciliations/{runId}': jwt({ member: 403, otherMember: 403, unit: 403, otherUnit: 403, clerk: 403, otherClerk: 403, cityClerk: 200, auditor: 200, admin: 403 }),
};

/** The first caller the table allows on a route (partners on partner routes): who fuzzes it. */
export function authorisedCaller(r: RouteDef): CallerName {
  const row = EXPECTED[routeKey(r)];
  const caller = r.auth === 'partner' ? 'partner' : CALLERS.find((c) => c !== 'none' && isAllowed(row[c]));
  if (!caller) throw new Error(`no caller may use ${routeKey(r)}`);
  return caller;
}

// ------------------------------------------------------------------------------------ the world

interface Partner {
  code: string;
  secret: string;
}

export interface World {
  branch: string;
  otherBranch: string;
  unitId: string;
  otherUnitId: string;
  /** The member's own account: employee of the unit, funded, six months of remittances (loan-eligible). */
  employee: Account;
  /** The other member's account: a flexible-employment account of the same branch. */
  flexible: Account;
  /** An employee of the unit to be sealed. */
  sealable: Account;
  /** A loan-eligible member of the branch whose application is to be rejected. */
  applicant: Account;
  /** An account of the branch that city-level staff freeze and unfreeze. */
  freezable: Account;
  /** The member's co-borrower consent for the applicant (made in the setup). */
  consentId: string;
  remittance: { remittanceId: string; totalAmount: string };
  withdrawalId: string;
  documentId: string;
  /** The verification code of the member's deposit certificate (made in the setup; a later one may supersede it: it still verifies). */
  certificateCode: string;
  pendingWithdrawalIds: [string, string];
  loanId: string;
  rejectableLoanId: string;
  transferId: string;
  trackingId: string;
  findingId: string;
  auditRunId: string;
  interestRunId: string;
  /** A center code the admin registers in the matrix. */
  newPartnerCode: string;
  partners: [Partner, Partner];
  /** The partners as banks: partners[i]'s collection account. */
  bankCollection: [string, string];
  /** A bank code the admin registers in the matrix. */
  newBankCode: string;
  /** An open suspense item (at partners[0]'s bank) for the matrix to refund. */
  suspenseItemId: string;
  /** A payment order of partners[0]'s bank (a suspense refund), for its results. */
  paymentId: string;
  /** A bank reconciliation run (written through the settlement store) for its reads. */
  bankReconciliationRunId: string;
  tokens: Partial<Record<CallerName, string>>;
  /** Data of the member and the unit that no refusal may contain. */
  secrets: string[];
  close(): Promise<void>;
}

const tag = () => randomBytes(4).toString('hex');
/** A bank account number of 19 digits, unique enough for a run. */
const bankAccountOf = () => `6${Array.from(randomBytes(18), (b) => b % 10).join('')}`;
const currentPeriod = () => periodOf(businessDate());

async function must(res: Promise<Res> | Res, status: number, what: string): Promise<any> {
  const r = await res;
  if (r.status !== status) throw new Error(`setup: ${what} answered ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A loan-eligible account: funded, with remittances for the six periods before this one. */
async function depositor(opts: Parameters<typeof openFundedAccount>[0]): Promise<Account> {
  const acc = await openFundedAccount(opts);
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_x, i) => ({ amountFen: 192_000, type: 'REMITTANCE' as const, period: addMonths(currentPeriod(), i - 6), ref: 'hardening-fixture', valueDate: businessDate() }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

/** A partner's HTTP endpoint (callbacks and our outbound requests): accepts everything. */
async function partnerSink(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ trackingId: `SINK-${randomUUID()}`, status: 'RECEIVED' })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

const application = (accountNo: string) => ({
  accountNo,
  housePrice: '2000000',
  firstHome: true,
  termMonths: 240,
  monthlyIncome: '20000',
  borrowerCategory: 'TALENT',
  location: 'DISTRICT',
  repaymentMethod: 'EQUAL_INSTALLMENT',
});

const purchase = (accountNo: string, certificateNo: string) => ({
  accountNo,
  reason: 'PURCHASE',
  amount: '100',
  payeeBankAccount: '6222020200112233',
  evidence: { contractNo: `HT-${certificateNo}`, propertyCertificateNo: certificateNo, price: '1000000', purchaseDate: businessDate() },
});

const rent = (accountNo: string) => ({
  accountNo,
  reason: 'RENT',
  amount: '100',
  payeeBankAccount: '6222020200112233',
  evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: `WF-${tag()}` },
});

/** Everything the routes act on, made through the API where there is one. */
export async function setupWorld(): Promise<World> {
  const branch = `HA${tag()}`;
  const otherBranch = `HB${tag()}`;
  const sink = await partnerSink();
  const [clerk, otherClerk, cityClerk, auditor, admin] = await Promise.all([staffToken(branch), staffToken(otherBranch), staffToken('*'), auditorToken(), adminToken()]);

  const partners: [Partner, Partner] = [
    { code: `HP${tag()}`, secret: `secret-${randomUUID()}` },
    { code: `HQ${tag()}`, secret: `secret-${randomUUID()}` },
  ];
  for (const p of partners) {
    await must(call('PUT', `/v1/interprovincial/partners/${p.code}`, { token: admin, body: { name: `Partner ${p.code}`, callbackUrl: `${sink.url}/callbacks`, apiBaseUrl: sink.url, sharedSecret: p.secret, settlementAccount: '6222020300009876543' } }), 201, 'partner registration');
  }

  const unitName = `权限矩阵单位${tag()}`;
  const creditCode = randomCreditCode();
  const unitBody = (name: string, code: string, b: string) => ({ name, creditCode: code, branch: b, payDay: 10, employerRate: '12', employeeRate: '12', startPeriod: addMonths(currentPeriod(), -12) });
  const unit = await must(call('POST', '/v1/units', { token: clerk, body: unitBody(unitName, creditCode, branch) }), 201, 'unit registration');
  const otherUnit = await must(call('POST', '/v1/units', { token: otherClerk, body: unitBody(`其他单位${tag()}`, randomCreditCode(), otherBranch) }), 201, 'other unit registration');
  const unitId = unit.unitId as string;

  const name = `权限矩阵甲${tag()}`;
  const idNumber = randomResidentId('1995-03-15');
  const [employee, flexible, sealable, applicant, freezable] = await Promise.all([
    depositor({ branch, unitId, name, idNumber, balanceFen: 5_012_345 }),
    openFundedAccount({ branch, balanceFen: 300_000, name: `权限矩阵乙${tag()}` }),
    openFundedAccount({ branch, unitId, balanceFen: 100_000 }),
    depositor({ branch, balanceFen: 2_000_000, idNumber: randomResidentId('1996-05-12') }),
    openFundedAccount({ branch, balanceFen: 200_000 }),
  ]);
  const member = await memberToken(employee.accountNo);
  const tokens: World['tokens'] = {
    member,
    otherMember: await memberToken(flexible.accountNo),
    unit: await unitToken(unitId),
    otherUnit: await unitToken(otherUnit.unitId),
    clerk,
    otherClerk,
    cityClerk,
    auditor,
    admin,
  };
  const secrets = [name, idNumber, fenToYuan(employee.balanceFen), unitName, creditCode];

  const remittance = await must(call('POST', `/v1/units/${unitId}/remittances`, { token: tokens.unit, body: { period: currentPeriod() } }), 201, 'remittance');

  // withdrawals: one paid; a property claimed once (paid), then twice more within the window (review)
  // a document the member uploads (pre-signed PUT), reads back (the check that stores it) and attaches to the paid withdrawal
  const documentBytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048)]);
  const declared = await must(call('POST', '/v1/documents', { token: member, body: { fileName: '租赁合同.pdf', contentType: 'application/pdf', sizeBytes: documentBytes.length, sha256: createHash('sha256').update(documentBytes).digest('hex') } }), 201, 'document');
  const uploaded = await fetch(declared.uploadUrl, { method: 'PUT', headers: declared.uploadHeaders, body: documentBytes });
  if (uploaded.status !== 200) throw new Error(`setup: the document upload answered ${uploaded.status}`);
  const stored = await must(call('GET', `/v1/documents/${declared.documentId}`, { token: member }), 200, 'document check');
  if (stored.status !== 'STORED') throw new Error(`setup: the uploaded document is ${stored.status}, not STORED`);
  const depositCertificate = await must(call('GET', `/v1/accounts/${employee.accountNo}/deposit-certificate`, { token: member }), 200, 'deposit certificate');
  const rentBody = rent(employee.accountNo);
  const withdrawal = await must(call('POST', '/v1/withdrawals', { token: member, body: { ...rentBody, evidence: { ...rentBody.evidence, documentIds: [declared.documentId] } } }), 201, 'withdrawal');
  const certificate = `HZ-FC-${tag()}`;
  await must(call('POST', '/v1/withdrawals', { token: member, body: purchase(employee.accountNo, certificate) }), 201, 'purchase withdrawal');
  const pending: string[] = [];
  for (let i = 0; i < 2; i++) {
    const w = await must(call('POST', '/v1/withdrawals', { token: member, body: purchase(employee.accountNo, certificate) }), 201, 'purchase withdrawal to review');
    if (w.status !== 'PENDING_REVIEW') throw new Error(`setup: a repeated property claim was ${w.status}, not PENDING_REVIEW`);
    pending.push(w.withdrawalId);
  }

  const loan = await must(call('POST', '/v1/loans', { token: member, body: { ...application(employee.accountNo), amount: '300000' } }), 201, 'loan application');
  const rejectable = await must(call('POST', '/v1/loans', { token: await memberToken(applicant.accountNo), body: { ...application(applicant.accountNo), amount: '300000' } }), 201, 'second loan application');

  const transfer = await must(
    call('POST', '/v1/interprovincial/transfer-requests', { token: clerk, body: { idNumber, name, fromCenter: partners[0].code, toAccountNo: employee.accountNo } }),
    202,
    'transfer request',
  );

  // the loans domain's route: when it fails here, only its own rows of the matrix fail (with this answer)
  const consent = await call('POST', '/v1/co-borrower-consents', { token: member, body: { borrowerAccountNo: applicant.accountNo } });
  const consentId = consent.status === 201 ? String(consent.body.consentId) : `CC-SETUP-FAILED-${consent.status}`;

  const world: World = {
    branch,
    otherBranch,
    unitId,
    otherUnitId: otherUnit.unitId,
    employee: await mustGetAccount(employee.accountNo),
    flexible,
    sealable,
    applicant,
    freezable,
    consentId,
    remittance: { remittanceId: remittance.remittanceId, totalAmount: remittance.totalAmount },
    withdrawalId: withdrawal.withdrawalId,
    documentId: declared.documentId,
    certificateCode: depositCertificate.verificationCode,
    pendingWithdrawalIds: [pending[0], pending[1]],
    loanId: loan.loanId,
    rejectableLoanId: rejectable.loanId,
    transferId: transfer.transferId,
    trackingId: '',
    findingId: supervisionStore.findingIdOf('BASE_ABOVE_CAP', employee.accountNo),
    auditRunId: `AR-HARDENING-${tag()}`,
    interestRunId: 'INT-1995',
    newPartnerCode: `HN${tag()}`,
    partners,
    bankCollection: [bankAccountOf(), bankAccountOf()],
    newBankCode: `BN${tag()}`,
    suspenseItemId: '',
    paymentId: '',
    bankReconciliationRunId: '',
    tokens,
    secrets,
    close: () => new Promise<void>((r) => sink.server.close(() => r())),
  };

  const inbound = await must(
    request(world, 'partner', 'POST', '/v1/interprovincial/requests', { body: { requestId: `REQ-${tag()}`, type: 'BALANCE_INQUIRY', payload: { idNumber, name } } }),
    202,
    'partner request',
  );
  world.trackingId = inbound.trackingId;

  // the partners as banks (same code and secret), each with a collection and a payment account; two
  // unmatched arrivals at the first: one stays open (the matrix refunds it), one is refunded here
  for (const [i, p] of partners.entries()) {
    const body = { name: `Bank ${p.code}`, apiBaseUrl: sink.url, sharedSecret: p.secret, accounts: [{ accountNo: world.bankCollection[i], purpose: 'COLLECTION' }, { accountNo: bankAccountOf(), purpose: 'PAYMENT', branches: [`BANKONLY${p.code}`] }] }; // a branch of its own: never the bank of others' payments
    await must(call('PUT', `/v1/banks/${p.code}`, { token: admin, body }), 201, 'bank registration');
  }
  const arrival = () => ({ notificationId: `N-${tag()}${tag()}`, accountNo: world.bankCollection[0], amount: '12.34', valueDate: businessDate(), payerName: '权限矩阵付款人', payerAccount: '6222020200112233', reference: '未注明 款项' });
  const itemIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const n = arrival();
    await must(request(world, 'partner', 'POST', '/v1/bank/notifications', { body: n }), 200, 'arrival notice');
    itemIds.push(suspenseItemIdOf(partners[0].code, n.notificationId));
  }
  world.suspenseItemId = itemIds[0];
  const refund = await must(call('POST', `/v1/bank/suspense/${itemIds[1]}/assign`, { token: cityClerk, body: { refund: true, note: '退回付款人' }, idem: randomUUID() }), 200, 'suspense refund');
  world.paymentId = refund.paymentId;

  // no API creates these without side effects on the whole shared runtime (an audit run fans out
  // over every account; interest runs exist only for finished years): written through their stores
  const at = new Date().toISOString();
  await supervisionStore.upsertFinding({ rule: 'BASE_ABOVE_CAP', severity: 'MEDIUM', subject: employee.accountNo, evidence: { monthlyBaseFen: employee.monthlyBaseFen } }, world.auditRunId, at);
  await commit({
    plan: async () => ({
      items: [supervisionStore.createRunItem({ runId: world.auditRunId, status: 'COMPLETED', segmentsTotal: 64, segmentsDone: 64, accounts: 0, findings: 0, balanceSumFen: 0, startedAt: at, completedAt: at, trigger: 'hardening-fixture' })],
      body: null,
    }),
  });
  world.bankReconciliationRunId = `BRHARDENING${tag()}`;
  await commit({ plan: async () => ({ items: [settlementStore.putRunItem({ runId: world.bankReconciliationRunId, date: '2020-01-15', status: 'COMPLETED', trigger: 'AUDITOR', accounts: [], findings: [], findingsTotal: 0, startedAt: at, finishedAt: at })], body: null }) });
  // INT-1995 precedes the deposit-rate policy, so no request can ever start it; both test files may write it
  await commit({
    plan: async () => ({
      items: (await depositsStore.getRun(world.interestRunId)) ? [] : [depositsStore.newRunItem({ runId: world.interestRunId, year: 1995, status: 'COMPLETED', doneSegments: [], accounts: 0, totalInterestFen: 0, startedAt: at, completedAt: at })],
      body: null,
    }),
  });
  return world;
}

// ------------------------------------------------------------------------------------ requests

export interface RouteRequest {
  params: Record<string, string>;
  body?: unknown;
  query?: string;
  /** Idempotency-Key to send instead of a fresh one. */
  idem?: string;
}

/** Distinct values per caller where two allowed callers must not collide (periods, years). */
const nth = (c: CallerName) => CALLERS.indexOf(c) + 1;
const fresh = () => `${tag()}${tag()}`;

/** One valid request per route, against the world's resources. */
export const REQUESTS: Record<string, (w: World, c: CallerName) => RouteRequest> = {
  'POST /v1/documents': () => ({ params: {}, body: { fileName: '收入证明.pdf', contentType: 'application/pdf', sizeBytes: 4096, sha256: createHash('sha256').update(fresh()).digest('hex') } }),
  'POST /v1/loans/{loanId}/disbursement-payments': (w) => ({ params: { loanId: w.loanId }, body: { payee: { name: '杭州安居置业有限公司', bankAccount: '6222021234567890123' } } }),
  'GET /v1/accounts/{accountNo}/deposit-certificate': (w) => ({ params: { accountNo: w.employee.accountNo } }),
  'GET /v1/certificates/{verificationCode}': (w) => ({ params: { verificationCode: w.certificateCode } }),
  'GET /v1/documents/{documentId}': (w) => ({ params: { documentId: w.documentId } }),
  'GET /v1/health': () => ({ params: {} }),
  'GET /v1/openapi.json': () => ({ params: {} }),

  'POST /v1/units': (w) => ({ params: {}, body: { name: `新单位${tag()}`, creditCode: randomCreditCode(), branch: w.branch, payDay: 10, employerRate: '12', employeeRate: '12' } }),
  'GET /v1/units/{unitId}': (w) => ({ params: { unitId: w.unitId } }),
  'PATCH /v1/units/{unitId}': (w, c) => ({ params: { unitId: w.unitId }, body: { payDay: 10 + nth(c) } }),
  'POST /v1/units/{unitId}/employees': (w) => ({ params: { unitId: w.unitId }, body: { idNumber: randomResidentId(), name: `新职工${tag()}`, monthlyBase: '8000' } }),
  'GET /v1/units/{unitId}/employees': (w) => ({ params: { unitId: w.unitId } }),
  'POST /v1/units/{unitId}/employees/{accountNo}/seal': (w) => ({ params: { unitId: w.unitId, accountNo: w.sealable.accountNo } }),
  'POST /v1/units/{unitId}/base-adjustments': (w, c) => ({ params: { unitId: w.unitId }, body: { year: 2000 + nth(c), items: [{ accountNo: w.employee.accountNo, monthlyBase: '8000' }] } }),
  'POST /v1/units/{unitId}/deferrals': (w, c) => {
    const p = addMonths(currentPeriod(), 48 + nth(c));
    return { params: { unitId: w.unitId }, body: { fromPeriod: p, toPeriod: p, reason: '经营困难' } };
  },
  'POST /v1/units/{unitId}/remittances': (w, c) => ({ params: { unitId: w.unitId }, body: { period: addMonths(currentPeriod(), -nth(c)) } }),
  'GET /v1/units/{unitId}/remittances': (w) => ({ params: { unitId: w.unitId } }),
  'GET /v1/remittances/{remittanceId}': (w) => ({ params: { remittanceId: w.remittance.remittanceId } }),
  'POST /v1/remittances/{remittanceId}/settlements': (w) => ({ params: { remittanceId: w.remittance.remittanceId }, body: { amount: w.remittance.totalAmount, bankRef: `BANK-${fresh()}` } }),
  'POST /v1/flexible-accounts': () => ({ params: {}, body: { idNumber: randomResidentId(), name: `灵活就业${tag()}`, monthlyBase: '5000', rate: '12' } }),
  'POST /v1/accounts/{accountNo}/deposits': (w, c) => ({
    params: { accountNo: w.flexible.accountNo },
    body: { period: addMonths(currentPeriod(), -nth(c)), amount: fenToYuan(w.flexible.monthlyAmountFen), bankRef: `BANK-${fresh()}` },
  }),
  'GET /v1/accounts/{accountNo}': (w) => ({ params: { accountNo: w.employee.accountNo } }),
  'GET /v1/accounts/{accountNo}/entries': (w) => ({ params: { accountNo: w.employee.accountNo } }),
  'POST /v1/accounts/{accountNo}/freeze': (w) => ({ params: { accountNo: w.freezable.accountNo }, body: { reason: '司法冻结', authority: '杭州市上城区人民法院', documentNo: `(2026)浙0102执${tag()}号` } }),
  'POST /v1/accounts/{accountNo}/unfreeze': (w) => ({ params: { accountNo: w.freezable.accountNo }, body: { note: '解除冻结' } }),
  'POST /v1/interest-settlements': () => ({ params: {}, body: { year: 2099 } }),
  'GET /v1/interest-settlements/{runId}': (w) => ({ params: { runId: w.interestRunId } }),

  'POST /v1/withdrawals': (w) => ({ params: {}, body: rent(w.employee.accountNo) }),
  'GET /v1/withdrawals': (w) => ({ params: {}, query: `status=PENDING_REVIEW&branch=${w.branch}` }),
  'GET /v1/withdrawals/{withdrawalId}': (w) => ({ params: { withdrawalId: w.withdrawalId } }),
  'GET /v1/accounts/{accountNo}/withdrawals': (w) => ({ params: { accountNo: w.employee.accountNo } }),
  'POST /v1/withdrawals/{withdrawalId}/approve': (w) => ({ params: { withdrawalId: w.pendingWithdrawalIds[0] }, body: { note: '已核实购房合同' } }),
  'POST /v1/withdrawals/{withdrawalId}/reject': (w) => ({ params: { withdrawalId: w.pendingWithdrawalIds[1] }, body: { note: '同一房产重复提取' } }),

  'POST /v1/loan-quotes': (w) => ({ params: {}, body: application(w.employee.accountNo) }),
  'POST /v1/loans': (w) => ({ params: {}, body: { ...application(w.employee.accountNo), amount: '200000' } }),
  'GET /v1/loans': (w) => ({ params: {}, query: `status=APPLIED&branch=${w.branch}` }),
  'POST /v1/loans/{loanId}/approve': (w) => ({ params: { loanId: w.loanId }, body: { note: '资料齐全' } }),
  'POST /v1/loans/{loanId}/reject': (w) => ({ params: { loanId: w.rejectableLoanId }, body: { note: '收入证明不足' } }),
  'POST /v1/loans/{loanId}/disburse': (w) => ({ params: { loanId: w.loanId }, body: { payee: { name: '杭州安居置业有限公司', bankAccount: '6222021234567890123' }, disbursedOn: businessDate() } }),
  'GET /v1/loans/{loanId}': (w) => ({ params: { loanId: w.loanId } }),
  'GET /v1/loans/{loanId}/schedule': (w) => ({ params: { loanId: w.loanId } }),
  'POST /v1/loans/{loanId}/repayments': (w) => ({ params: { loanId: w.loanId }, body: { amount: '100', paidOn: businessDate(), bankRef: `BANK-${fresh()}` } }),
  'POST /v1/loans/{loanId}/prepayments': (w) => ({ params: { loanId: w.loanId }, body: { amount: '1000', recalculation: 'REDUCE_TERM', source: 'BANK' } }),
  'PUT /v1/loans/{loanId}/offset': (w) => ({ params: { loanId: w.loanId }, body: { enabled: true } }),
  'DELETE /v1/loans/{loanId}/offset': (w) => ({ params: { loanId: w.loanId } }),
  'POST /v1/loans/{loanId}/deferrals': (w, c) => {
    const p = addMonths(currentPeriod(), nth(c));
    return { params: { loanId: w.loanId }, body: { fromPeriod: p, toPeriod: p, reason: '重大疾病' } };
  },
  'GET /v1/loans/{loanId}/payoff-certificate': (w) => ({ params: { loanId: w.loanId } }),
  'POST /v1/co-borrower-consents': (w) => ({ params: {}, body: { borrowerAccountNo: w.applicant.accountNo } }),
  'DELETE /v1/co-borrower-consents/{consentId}': (w) => ({ params: { consentId: w.consentId } }),

  'POST /v1/supervision/audit-runs': () => ({ params: {}, idem: 'not a valid key!' }),
  'GET /v1/supervision/audit-runs/{runId}': (w) => ({ params: { runId: w.auditRunId } }),
  'GET /v1/supervision/findings': () => ({ params: {}, query: 'status=OPEN&rule=BASE_ABOVE_CAP' }),
  'POST /v1/supervision/findings/{findingId}/resolve': (w) => ({ params: { findingId: w.findingId }, body: { note: '已核实' } }),
  'GET /v1/supervision/indicators': (w) => ({ params: {}, query: `branch=${w.branch}` }),
  'GET /v1/supervision/indicators/history': (w) => ({ params: {}, query: `branch=${w.branch}&from=${addMonths(currentPeriod(), -1)}-01&to=${businessDate()}` }),

  'POST /v1/ratings': (w) => ({ params: {}, body: { subjectType: 'WITHDRAWAL', subjectId: w.withdrawalId, score: 5, comment: '办理快捷' } }),
  'GET /v1/archive/{subjectType}/{subjectId}': (w) => ({ params: { subjectType: 'TRANSFER', subjectId: w.transferId } }),

  'PUT /v1/interprovincial/partners/{centerCode}': (w) => ({ params: { centerCode: w.newPartnerCode }, body: { name: '新伙伴中心', callbackUrl: 'http://127.0.0.1:9/callbacks', sharedSecret: `secret-${randomUUID()}`, settlementAccount: '6222020300009876543' } }),
  'POST /v1/interprovincial/requests': (w) => ({
    params: {},
    body: { requestId: `REQ-${fresh()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: w.employee.idNumber, name: w.employee.name } },
  }),
  'GET /v1/interprovincial/requests/{trackingId}': (w) => ({ params: { trackingId: w.trackingId } }),
  'GET /v1/interprovincial/requests': () => ({ params: {}, query: 'status=RECEIVED' }),
  'POST /v1/interprovincial/transfer-requests': (w) => ({
    params: {},
    body: { idNumber: w.employee.idNumber, name: w.employee.name, fromCenter: w.partners[0].code, toAccountNo: w.employee.accountNo },
  }),
  'GET /v1/interprovincial/transfer-requests/{transferId}': (w) => ({ params: { transferId: w.transferId } }),
  'POST /v1/interprovincial/transfer-requests/{transferId}/cancel': (w) => ({ params: { transferId: w.transferId } }),
  'PUT /v1/banks/{bankCode}': (w) => ({ params: { bankCode: w.newBankCode }, body: { name: '新委托银行', apiBaseUrl: 'http://127.0.0.1:9/bank', sharedSecret: `secret-${randomUUID()}`, accounts: [{ accountNo: '6222000011112222', purpose: 'COLLECTION', branches: [w.branch] }] } }),
  'POST /v1/bank/notifications': (w) => ({
    params: {},
    body: { notificationId: `N-${fresh()}`, accountNo: w.bankCollection[0], amount: '12.34', valueDate: businessDate(), payerName: '权限矩阵付款人', payerAccount: '6222020200112233', reference: '未注明 款项' },
  }),
  'POST /v1/bank/payment-results': (w) => ({ params: {}, body: { paymentId: w.paymentId, status: 'SETTLED', bankRef: 'BR-HARDENING-1' } }),
  'GET /v1/bank/payments': () => ({ params: {}, query: 'status=ORDERED' }),
  'GET /v1/bank/suspense': () => ({ params: {} }),
  'POST /v1/bank/suspense/{itemId}/assign': (w) => ({ params: { itemId: w.suspenseItemId }, body: { refund: true, note: '退回付款人' } }),
  // a day before any bank movement of a test run: the run reads every statement and finds nothing
  'POST /v1/bank/reconciliations': () => ({ params: {}, body: { date: '2020-01-15' } }),
  'GET /v1/bank/reconciliations/{runId}': (w) => ({ params: { runId: w.bankReconciliationRunId } }),
  'POST /v1/interprovincial/callbacks': (w) => ({
    params: {},
    body: { trackingId: `THEIRS-${tag()}`, requestId: w.transferId, type: 'TRANSFER_REQUEST', status: 'REJECTED', rejection: { code: 'R01', message: '账户状态不允许转出' } },
  }),
};

/** The route's path with its parameters filled in (values are used as given: already encoded). */
export const fillPath = (path: string, params: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (!(name in params)) throw new Error(`no value for {${name}} in ${path}`);
    return params[name];
  });

/**
 * One HTTP request as `caller`: a bearer token for JWT callers, the api.md signature (over the exact
 * body bytes and the path the server sees) for partners, nothing for `none`.
 */
export function request(w: World, caller: CallerName, method: string, path: string, opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; idem?: string } = {}): Promise<Res> {
  const rawBody = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers = { ...opts.headers };
  const partner = caller === 'partner' ? w.partners[0] : caller === 'otherPartner' ? w.partners[1] : undefined;
  if (partner) {
    const signed: Record<string, string> = signedHeaders(partner.code, partner.secret, { method, path: new URL(path, baseUrl()).pathname, rawBody: rawBody ?? '' });
    // a bank signs with X-HPF-Bank (api.md, Banks): the partners are the world's banks too
    if (path.startsWith('/v1/bank/')) {
      signed['x-hpf-bank'] = signed['x-hpf-center'];
      delete signed['x-hpf-center'];
    }
    Object.assign(headers, signed);
  }
  return call(method, path, { token: w.tokens[caller], rawBody, headers, idem: opts.idem });
}

/** Sends the route's valid request as `caller`, with `override`s (a raw body replaces the body; `idem: undefined` sends a fresh key). */
export function callRoute(w: World, r: RouteDef, caller: CallerName, override: { params?: Record<string, string>; rawBody?: string; headers?: Record<string, string>; idem?: string } = {}): Promise<Res> {
  const req = REQUESTS[routeKey(r)](w, caller);
  const path = fillPath(r.path, override.params ?? req.params) + (req.query ? `?${req.query}` : '');
  return request(w, caller, r.method, path, { body: req.body, rawBody: override.rawBody, headers: override.headers, idem: 'idem' in override ? override.idem : req.idem });
}

// ------------------------------------------------------------------------------------ checks

const INTERNALS = /node_modules|\.ts:\d|\bat \S+ \(|Exception\b|TypeError|RangeError|SyntaxError|ReferenceError/;

/** Why the answer is not an RFC 9457 problem document of the catalog (undefined when it is one). */
export function problemViolation(res: Res): string | undefined {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) return `content-type is "${type}", not application/problem+json`;
  const b = res.body as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object') return 'the body is not a JSON object';
  const code = b.code as ProblemCode;
  if (!Object.hasOwn(problemCodes, code)) return `code ${String(code)} is not in the catalog`;
  if (problemCodes[code].status !== res.status || b.status !== res.status) return `code ${code} / status ${String(b.status)} do not match HTTP ${res.status}`;
  if (typeof b.type !== 'string' || typeof b.title !== 'string' || typeof b.detail !== 'string' || !Array.isArray(b.errors)) return 'type, title, detail or errors is missing';
  if (INTERNALS.test(JSON.stringify(b))) return 'it names internals (stack trace, exception, file)';
  return undefined;
}

/** The world's secrets that appear in an answer. */
export const leaked = (w: World, res: Res) => w.secrets.filter((s) => JSON.stringify(res.body ?? '').includes(s));

/** Ledger and domain state of the world, to compare before and after a fuzz run. */
export async function snapshot(w: World) {
  const accounts = await getAccounts([w.employee.accountNo, w.flexible.accountNo, w.sealable.accountNo, w.applicant.accountNo]);
  const read = async (path: string) => {
    const res = await call('GET', path, { token: w.tokens.clerk });
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body;
  };
  const [totals, unit, employees, remittance, loan, rejectableLoan, approvable, rejectable, finding] = await Promise.all([
    controlTotals([w.branch, w.otherBranch]),
    read(`/v1/units/${w.unitId}`),
    read(`/v1/units/${w.unitId}/employees`),
    read(`/v1/remittances/${w.remittance.remittanceId}`),
    read(`/v1/loans/${w.loanId}`),
    read(`/v1/loans/${w.rejectableLoanId}`),
    read(`/v1/withdrawals/${w.pendingWithdrawalIds[0]}`),
    read(`/v1/withdrawals/${w.pendingWithdrawalIds[1]}`),
    supervisionStore.getFinding(w.findingId),
  ]);
  return {
    totals,
    accounts: [...accounts.values()].map((a) => ({ accountNo: a.accountNo, balanceFen: a.balanceFen, version: a.version, status: a.status, monthlyBaseFen: a.monthlyBaseFen })),
    unit,
    employees: employees.items.length,
    statuses: { remittance: remittance.status, loans: [loan.status, rejectableLoan.status], withdrawals: [approvable.status, rejectable.status], finding: finding?.status },
  };
}
