// The public verification of a certificate by its code (no sign-in).
import { fail } from '../../../shared/errors.ts';
import { verificationView } from '../domain/certificate.ts';
import { getCertificate } from '../store.ts';

/** GET /v1/certificates/{verificationCode} of a canonical code (schemas.ts verificationCodeParam): 404 when no certificate has it. */
export async function verifyCertificate(code: string) {
  const record = await getCertificate(code);
  if (!record) return fail('NOT_FOUND', 'No certificate has this verification code / 未找到该验证码对应的证明');
  return verificationView(record);
}
