// The payoff certificate (贷款结清证明) of a CLOSED loan with its verification record (issue 17): as
// the member and staff get it (GET /v1/loans/{loanId}/payoff-certificate, JSON or the PDF) and as a
// partner's LOAN_PAYOFF_CERTIFICATE gets it (planned for the interprovincial worker's transaction).
//
// The certificate number is the loan's stable JQ… number; what it states never changes once the loan
// is closed, so the first request issues its verification code and every later one (member, staff,
// partner) answers the same certificate: same number, same code, same issue time. It stays valid.
import type { TxItem } from '../../../shared/ddb.ts';
import { commit } from '../../../shared/tx.ts';
import { now } from '../../../shared/clock.ts';
import type { Caller } from '../../../shared/auth.ts';
import { getAccount } from '../../../shared/ledger/ledger.ts';
import { planCertificateIssue, renderCertificatePdf, verificationUrl, type PayoffStatement } from '../../certificates/public.ts';
import { payoffCertificate } from './lifecycle.ts';
import { payoffCertificateOfAccount, type PayoffCertificate } from './partner.ts';

const statementOf = (c: PayoffCertificate, holder: { name: string; idNumber: string; accountNo: string }): PayoffStatement => ({
  holder: { name: holder.name, idNumber: holder.idNumber, accountNo: holder.accountNo },
  loanId: c.loanId,
  principal: c.principal,
  disbursedOn: c.disbursedOn,
  closedOn: c.closedOn,
});

/** GET /v1/loans/{loanId}/payoff-certificate: as before (404/409 as before), with its verification code; the PDF when asked. */
export async function payoffCertificateFor(caller: Caller, loanId: string, opts: { pdf: boolean; origin?: string }) {
  let statement: PayoffStatement | undefined;
  const out = await commit({
    plan: async () => {
      const base = await payoffCertificate(caller, loanId);
      const borrower = (await getAccount(base.accountNo))!;
      statement = statementOf(base, borrower);
      const issue = await planCertificateIssue({ kind: 'PAYOFF', certificateNo: base.certificateNo, subject: base.loanId, statement, issuedAt: now() });
      const body = { ...base, certificateNo: issue.certificateNo, verificationCode: issue.verificationCode, verificationUrl: verificationUrl(issue.verificationCode, opts.origin), issuedAt: issue.issuedAt };
      return { items: issue.items, body };
    },
  });
  if (!opts.pdf || !statement) return { status: 200, body: out.body };
  const b = out.body;
  const bytes = await renderCertificatePdf({ kind: 'PAYOFF', certificateNo: b.certificateNo, verificationCode: b.verificationCode, verificationUrl: b.verificationUrl, issuedAt: b.issuedAt, statement });
  return { status: 200, binary: { bytes, contentType: 'application/pdf' }, headers: { 'content-disposition': `inline; filename="${b.certificateNo}.pdf"`, 'cache-control': 'no-store' } };
}

/**
 * The payoff certificate a partner's LOAN_PAYOFF_CERTIFICATE answers (payoffCertificateOfAccount: of
 * `loanId`, or of the loan closed last), with its verification code, planned for the caller's ONE
 * transaction (call inside its commit plan; items only the first time the certificate is asked for).
 * Undefined when the member has no such CLOSED loan.
 */
export async function planPayoffCertificate(accountNo: string, loanId: string | undefined, at: Date): Promise<{ certificate: PayoffCertificate & { verificationCode: string; issuedAt: string }; items: TxItem[] } | undefined> {
  const c = await payoffCertificateOfAccount(accountNo, loanId);
  const holder = c ? await getAccount(accountNo) : undefined;
  if (!c || !holder) return undefined;
  const issue = await planCertificateIssue({ kind: 'PAYOFF', certificateNo: c.certificateNo, subject: c.loanId, statement: statementOf(c, holder), issuedAt: at });
  return { certificate: { ...c, certificateNo: issue.certificateNo, verificationCode: issue.verificationCode, issuedAt: issue.issuedAt }, items: issue.items };
}
