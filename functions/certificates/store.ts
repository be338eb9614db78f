// The certificates table. The only code that knows its keys and conditions.
//   CERT#<code without hyphens> / CERT     one issued certificate: what it states (unmasked), its
//                                          digest, when it was issued; supersededBy/At once a newer
//                                          deposit certificate of its account was issued. Written once
//                                          (conditional put); only the supersession is added later.
//   SUBJECT#<kind>#<subject> / LATEST      the latest certificate of an account (DEPOSIT) or a loan
//                                          (PAYOFF): its code, number and digest. Replaced only by the
//                                          issue that read it (conditioned on its code), so two issues
//                                          racing for a subject serialise: the loser re-plans.
import { getItem, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { codeKey, type CertificateKind, type CertificateRecord, type LatestOfSubject } from './domain/certificate.ts';

const T = () => tableName('certificates');
const certKey = (code: string) => ({ pk: `CERT#${codeKey(code)}`, sk: 'CERT' });
const latestKey = (kind: CertificateKind, subject: string) => ({ pk: `SUBJECT#${kind}#${subject}`, sk: 'LATEST' });

/** A certificate by its (canonical) verification code. */
export const getCertificate = (code: string) => getItem<CertificateRecord>(T(), certKey(code));

/** The latest certificate of a subject. */
export const getLatest = (kind: CertificateKind, subject: string) => getItem<LatestOfSubject>(T(), latestKey(kind, subject));

/** Puts a new certificate (its code is new: written once). */
export const newCertificateItem = (r: CertificateRecord): TxItem => ({
  Put: { TableName: T(), Item: { ...certKey(r.verificationCode), ...r }, ConditionExpression: 'attribute_not_exists(pk)' },
});

/** Makes `next` the latest of its subject, conditioned on the latest being `previous` as read (or none). */
export function latestItem(kind: CertificateKind, subject: string, next: LatestOfSubject, previous: LatestOfSubject | undefined): TxItem {
  const Item = { ...latestKey(kind, subject), ...next };
  return previous
    ? { Put: { TableName: T(), Item, ConditionExpression: 'verificationCode = :prev', ExpressionAttributeValues: { ':prev': previous.verificationCode } } }
    : { Put: { TableName: T(), Item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** Marks the certificate of `code` superseded by the certificate numbered `by`, at `at`. */
export const supersedeItem = (code: string, by: string, at: string): TxItem => ({
  Update: {
    TableName: T(),
    Key: certKey(code),
    UpdateExpression: 'SET supersededBy = :by, supersededAt = :at',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(supersededBy)',
    ExpressionAttributeValues: { ':by': by, ':at': at },
  },
});
