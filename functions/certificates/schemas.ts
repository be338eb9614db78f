// The edge of the certificates API: its one input is the verification code in the path, read the
// Crockford way by the domain (canonicalVerificationCode: case, hyphens and spaces, O→0, I/L→1) and
// refused as every edge refuses (400 VALIDATION_FAILED naming the field). No zod here: the public
// verification function would carry zod's module init at every cold start for one string check.
import { DomainError } from '../../shared/errors.ts';
import { canonicalVerificationCode } from './domain/certificate.ts';

/** The canonical verification code of `GET /v1/certificates/{verificationCode}`, or a 400 when it cannot be a code. */
export function verificationCodeParam(input: string): string {
  const code = canonicalVerificationCode(input);
  if (!code) throw new DomainError('VALIDATION_FAILED', 'Not a verification code / 验证码格式有误', [{ path: 'path.verificationCode', message: '20 characters 0-9 A-Z (no I, L, O, U), in groups of four' }]);
  return code;
}
