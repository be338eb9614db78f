// Issuing a certificate: the verification record planned for the issuing domain's ONE transaction
// (deposits-http, loans-http, the interprovincial worker), and its verification URL.
import { createHash, randomBytes } from 'node:crypto';
import type { TxItem } from '../../../shared/ddb.ts';
import { canonicalJson } from '../../../shared/canonical.ts';
import { CODE_RANDOM_BYTES, supersedes, verificationCodeOf, type CertificateKind, type CertificateRecord, type Statement } from '../domain/certificate.ts';
import { getLatest, latestItem, newCertificateItem, supersedeItem } from '../store.ts';

export interface CertificateIssueInput {
  kind: CertificateKind;
  /** The number a new certificate gets (the issuing domain's: DC… for deposits, JQ… for payoffs). */
  certificateNo: string;
  /** accountNo (DEPOSIT) or loanId (PAYOFF). */
  subject: string;
  statement: Statement;
  issuedAt: Date;
  /** Reuse the latest certificate of the subject when it states exactly this (default true). */
  reuse?: boolean;
}

export interface CertificateIssue {
  /** true: the latest certificate states exactly this and is answered again (no items). */
  reused: boolean;
  certificateNo: string;
  verificationCode: string;
  issuedAt: string;
  items: TxItem[];
}

export const statementDigest = (kind: CertificateKind, statement: Statement) => createHash('sha256').update(canonicalJson({ kind, statement })).digest('hex');

export const newVerificationCode = () => verificationCodeOf(randomBytes(CODE_RANDOM_BYTES));

/**
 * Plans the issue of a certificate (reads the subject's latest: call it inside the caller's commit
 * plan, so that a lost race re-plans). Reused when the latest states the same; otherwise a new record
 * under a new code, the subject's latest replaced (conditioned on the one read), and, for a deposit
 * certificate, the previous one marked superseded by the new number.
 */
export async function planCertificateIssue(input: CertificateIssueInput): Promise<CertificateIssue> {
  const digest = statementDigest(input.kind, input.statement);
  const latest = await getLatest(input.kind, input.subject);
  if (latest && latest.digest === digest && input.reuse !== false) {
    return { reused: true, certificateNo: latest.certificateNo, verificationCode: latest.verificationCode, issuedAt: latest.issuedAt, items: [] };
  }
  const issuedAt = input.issuedAt.toISOString();
  const record: CertificateRecord = {
    verificationCode: newVerificationCode(),
    kind: input.kind,
    certificateNo: input.certificateNo,
    subject: input.subject,
    statement: JSON.parse(JSON.stringify(input.statement)) as Statement,
    digest,
    issuedAt,
  };
  const items: TxItem[] = [newCertificateItem(record), latestItem(input.kind, input.subject, { verificationCode: record.verificationCode, certificateNo: record.certificateNo, digest, issuedAt }, latest)];
  if (latest && supersedes(input.kind)) items.push(supersedeItem(latest.verificationCode, record.certificateNo, issuedAt));
  return { reused: false, certificateNo: record.certificateNo, verificationCode: record.verificationCode, issuedAt, items };
}

/** Local default of the public base URL: the gateway `npm start` runs. */
export const localPublicBaseUrl = () => `http://127.0.0.1:${process.env.PORT ?? '3000'}`;

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/;
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[::1\](:\d{1,5})?$/;

/**
 * The origin a request reached us at (API Gateway's domain name: https; the local gateway on loopback:
 * http); undefined when it does not look like a host.
 */
export function requestOrigin(event: { requestContext?: { domainName?: string } } | undefined): string | undefined {
  const host = event?.requestContext?.domainName;
  if (!host || !HOST.test(host)) return undefined;
  return `${LOOPBACK_HOST.test(host) ? 'http' : 'https'}://${host}`;
}

/**
 * Where anyone verifies a certificate: `${HPF_PUBLIC_BASE_URL}/v1/certificates/{code}`. The variable
 * (set by CDK to the API's public URL or the center's domain) wins; without it, the origin the request
 * came to; without a request, the local gateway's default URL.
 */
export function verificationUrl(code: string, origin?: string): string {
  const base = (process.env.HPF_PUBLIC_BASE_URL || origin || localPublicBaseUrl()).replace(/\/+$/, '');
  return `${base}/v1/certificates/${code}`;
}
