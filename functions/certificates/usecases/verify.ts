// The public verification of a certificate by its code (no sign-in).
import { DomainError, fail } from '../../../shared/errors.ts';
import { canonicalVerificationCode, verificationView } from '../domain/certificate.ts';
import { getCertificate } from '../store.ts';

/** GET /v1/certificates/{verificationCode}: 400 when it cannot be a code, 404 when no certificate has it. */
export async function verifyCertificate(input: string) {
  const code = canonicalVerificationCode(input);
  if (!code) throw new DomainError('VALIDATION_FAILED', 'Not a verification code / 验证码格式有误', [{ path: 'path.verificationCode', message: '20 characters 0-9 A-Z (no I, L, O, U), in groups of four' }]);
  const record = await getCertificate(code);
  if (!record) return fail('NOT_FOUND', 'No certificate has this verification code / 未找到该验证码对应的证明');
  return verificationView(record);
}
