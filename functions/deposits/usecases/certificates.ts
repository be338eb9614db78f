// The deposit facts of an account and its deposit certificates (缴存证明), as other domains use them
// (the interprovincial BALANCE_INQUIRY and DEPOSIT_CERTIFICATE; a later issue adds the member's PDF and
// the public verification from the same record).
import { getAccount } from '../../../shared/ledger/ledger.ts';
import { derivedId, newId } from '../../../shared/ids.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { depositFacts, newDepositCertificate, type DepositCertificate, type DepositCertificateRequest, type DepositFacts } from '../domain/certificate.ts';
import { deferralRanges, getDepositCertificate, newDepositCertificateItem } from '../store.ts';

/** The account's deposit facts as of `today`; undefined when there is no such account. */
export async function depositFactsOf(accountNo: string, today: string): Promise<DepositFacts | undefined> {
  const account = await getAccount(accountNo);
  if (!account) return undefined;
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
