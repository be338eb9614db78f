// The deposit facts of an account and its deposit certificates (缴存证明), as other domains use them
// (the interprovincial BALANCE_INQUIRY and DEPOSIT_CERTIFICATE) and as the member and staff get them
// (GET /v1/accounts/{accountNo}/deposit-certificate: JSON or the PDF), each certificate with its
// verification record in the certificates domain (issue 17).
//
// Decisions (documented for reviewers):
//  - What a deposit certificate states (the verification's statement): the holder (name, ID number,
//    account number), the unit's name, and the deposit facts (status, opened on, months deposited,
//    consecutive months, monthly base and amount, balance, last paid period), and the purpose when a
//    partner gave one. Not the loans: the partner's JSON result carries them as api.md says, but their
//    payoff amount changes every day and would make every request a new certificate.
//  - The member's route asks again for the same facts → the same certificate (number, code, issue
//    time): a GET does not issue a new certificate each time. When anything stated changed (a
//    contribution posted, a withdrawal, a status), a new certificate is issued and supersedes the old.
//  - A partner's DEPOSIT_CERTIFICATE is always a new certificate (its number derives from the request's
//    tracking id, recorded here with the request): it is an issue to that partner, and supersedes the
//    account's previous one.
import { getAccount, type Account } from '../../../shared/ledger/ledger.ts';
import { derivedId, newId } from '../../../shared/ids.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { commit } from '../../../shared/tx.ts';
import { businessDate, now } from '../../../shared/clock.ts';
import { notFound, staffCovers, type Caller } from '../../../shared/auth.ts';
import { planCertificateIssue, renderCertificatePdf, verificationUrl, maskedStatement, type DepositStatement } from '../../certificates/public.ts';
import { depositFacts, newDepositCertificate, type DepositCertificate, type DepositCertificateRequest, type DepositFacts } from '../domain/certificate.ts';
import { deferralRanges, getDepositCertificate, getUnit, newDepositCertificateItem } from '../store.ts';

/** The account's deposit facts as of `today`; undefined when there is no such account. */
export async function depositFactsOf(accountNo: string, today: string): Promise<DepositFacts | undefined> {
  const account = await getAccount(accountNo);
  if (!account) return undefined;
  return factsOfAccount(account, today);
}

async function factsOfAccount(account: Account, today: string): Promise<DepositFacts> {
  const deferred = account.unitId ? await deferralRanges(account.unitId) : [];
  return depositFacts(account, deferred, today);
}

/** The number of the certificate answering a request (deterministic from our tracking id). */
export const depositCertificateNoOf = (trackingId: string) => derivedId('DC', 'DEPOSIT_CERTIFICATE', trackingId);

/** The items that issue a certificate (never committed here): one conditional put of the record. */
export function depositCertificateItems(input: DepositCertificateRequest): { certificateNo: string; items: TxItem[] } {
  const certificateNo = input.trackingId !== undefined ? depositCertificateNoOf(input.trackingId) : newId('DC');
  const certificate = newDepositCertificate({ ...input, certificateNo });
  return { certificateNo, items: [newDepositCertificateItem(certificate)] };
}

export const depositCertificate = (certificateNo: string): Promise<DepositCertificate | undefined> => getDepositCertificate(certificateNo);

/** What a deposit certificate of `account` with `facts` states. */
export async function depositStatement(account: Account, facts: DepositFacts, purpose?: string): Promise<DepositStatement> {
  const unit = account.unitId ? await getUnit(account.unitId) : undefined;
  return {
    holder: { name: account.name, idNumber: account.idNumber, accountNo: account.accountNo },
    ...(unit ? { unitName: unit.name } : {}),
    status: facts.status,
    openedOn: facts.openedOn,
    monthsDeposited: facts.monthsDeposited,
    consecutiveMonths: facts.consecutiveMonths,
    monthlyBase: facts.monthlyBase,
    monthlyAmount: facts.monthlyAmount,
    balance: facts.balance,
    lastPaidPeriod: facts.lastPaidPeriod,
    ...(purpose ? { purpose } : {}),
  };
}

export interface PlannedDepositCertificate {
  certificateNo: string;
  verificationCode: string;
  issuedAt: string;
  /** true: the account's latest certificate states exactly this and is answered again. */
  reused: boolean;
  statement: DepositStatement;
  items: TxItem[];
}

/**
 * A deposit certificate with its verification record, planned for the caller's ONE transaction (call
 * inside its commit plan): the DCERT record and the certificates domain's items when it is new.
 * `reuse` (default: only without a trackingId) answers the account's latest certificate again when it
 * states the same. Undefined when there is no such account.
 */
export async function planDepositCertificate(input: DepositCertificateRequest & { reuse?: boolean }): Promise<PlannedDepositCertificate | undefined> {
  const account = await getAccount(input.accountNo);
  if (!account) return undefined;
  const statement = await depositStatement(account, input.facts, input.purpose);
  const certificateNo = input.trackingId !== undefined ? depositCertificateNoOf(input.trackingId) : newId('DC');
  const issue = await planCertificateIssue({ kind: 'DEPOSIT', certificateNo, subject: input.accountNo, statement, issuedAt: input.at, reuse: input.reuse ?? input.trackingId === undefined });
  if (issue.reused) return { certificateNo: issue.certificateNo, verificationCode: issue.verificationCode, issuedAt: issue.issuedAt, reused: true, statement, items: [] };
  const record = { ...newDepositCertificate({ ...input, certificateNo }), verificationCode: issue.verificationCode };
  return { certificateNo, verificationCode: issue.verificationCode, issuedAt: issue.issuedAt, reused: false, statement, items: [newDepositCertificateItem(record), ...issue.items] };
}

/** Who may be issued an account's certificate: its owner, staff covering its branch (others: 404). */
const mayIssue = (caller: Caller, account: Account) => (caller.role === 'member' ? caller.accountNo === account.accountNo : staffCovers(caller, account.branch));

/**
 * GET /v1/accounts/{accountNo}/deposit-certificate: the account's certificate as of now (the latest
 * again when nothing it states changed), as data (what it states as printed: the holder masked) or
 * as its PDF.
 */
export async function depositCertificateFor(caller: Caller, accountNo: string, opts: { pdf: boolean; origin?: string }) {
  let planned: PlannedDepositCertificate | undefined;
  const out = await commit({
    plan: async () => {
      const account = await getAccount(accountNo);
      if (!account || !mayIssue(caller, account)) return notFound('Account');
      const today = businessDate();
      const facts = await factsOfAccount(account, today);
      planned = await planDepositCertificate({ accountNo, facts, loans: [], issuedTo: { sub: caller.sub }, today, at: now() });
      if (!planned) return notFound('Account');
      const shown = maskedStatement(planned.statement);
      const body = {
        certificateNo: planned.certificateNo,
        verificationCode: planned.verificationCode,
        verificationUrl: verificationUrl(planned.verificationCode, opts.origin),
        issuedAt: planned.issuedAt,
        accountNo,
        name: shown.holder.name,
        idNumber: shown.holder.idNumber,
        ...(shown.unitName ? { unitName: shown.unitName } : {}),
        status: shown.status,
        openedOn: shown.openedOn,
        monthsDeposited: shown.monthsDeposited,
        consecutiveMonths: shown.consecutiveMonths,
        monthlyBase: shown.monthlyBase,
        monthlyAmount: shown.monthlyAmount,
        balance: shown.balance,
        lastPaidPeriod: shown.lastPaidPeriod,
      };
      return { items: planned.items, body };
    },
  });
  if (!opts.pdf || !planned) return { status: 200, body: out.body };
  const bytes = await renderCertificatePdf({ kind: 'DEPOSIT', certificateNo: out.body.certificateNo, verificationCode: out.body.verificationCode, verificationUrl: out.body.verificationUrl, issuedAt: out.body.issuedAt, statement: planned.statement });
  return { status: 200, binary: { bytes, contentType: 'application/pdf' }, headers: { 'content-disposition': `inline; filename="${out.body.certificateNo}.pdf"`, 'cache-control': 'no-store' } };
}
