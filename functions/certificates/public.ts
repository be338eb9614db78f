// What other domains may use of the certificates domain (电子证明, domain.md §9): the issuing domains
// (deposits, loans; interprovincial through them) plan a certificate's verification record into their
// own ONE transaction and render its PDF. Nothing else of functions/certificates/ is imported from outside.
//
// - planCertificateIssue({ kind, certificateNo, subject, statement, issuedAt, reuse? }) → { reused,
//   certificateNo, verificationCode, issuedAt, items }: call it inside the caller's commit plan. When
//   the subject's latest certificate states exactly `statement` (same digest of kind + statement) and
//   `reuse` is not false, that certificate is answered again (its number, code and issue time; no
//   items). Otherwise a new record under a new verification code (100 random bits), the subject's
//   latest replaced (conditioned on the one read: a racing issue makes the commit re-plan), and for a
//   DEPOSIT the previous certificate of the account marked superseded (`valid: false`, `supersededBy`
//   = the new certificate's number, `supersededAt`). A PAYOFF certificate stays valid.
// - renderCertificatePdf({ kind, certificateNo, verificationCode, verificationUrl, issuedAt, statement })
//   → the PDF bytes (A4, Chinese, the holder masked as the verification shows it, the QR code of the URL).
// - verificationUrl(code, origin?) and requestOrigin(event): `${HPF_PUBLIC_BASE_URL}/v1/certificates/{code}`;
//   without the variable, the origin the request came to; without a request, http://127.0.0.1:$PORT.
export { planCertificateIssue, requestOrigin, verificationUrl, type CertificateIssue, type CertificateIssueInput } from './usecases/issue.ts';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CertificatePdfInput } from './usecases/pdf.ts';
export type { CertificatePdfInput } from './usecases/pdf.ts';

/**
 * The PDF renderer (usecases/pdf.ts with pdf-lib, fontkit and qrcode-generator, ~1.4 MB minified) is
 * not in the functions' bundles: infra/aws/hpf-function.ts builds it as its own module beside
 * index.mjs (the topology's `chunks`), under this name. In the source tree (tsx, vitest) there is no
 * such file beside this module and the source module is imported instead.
 */
export const CERTIFICATE_PDF_CHUNK = 'certificate-pdf.mjs';
const PDF_SOURCE = './usecases/pdf.ts';

/** The renderer's specifier, computed at run time: esbuild follows only literal specifiers, so neither is bundled. */
function rendererSpecifier(): string {
  const chunk = new URL(`./${CERTIFICATE_PDF_CHUNK}`, import.meta.url);
  return existsSync(fileURLToPath(chunk)) ? chunk.href : PDF_SOURCE;
}

type Renderer = typeof import('./usecases/pdf.ts');
let renderer: Promise<Renderer> | undefined;
/** The renderer, imported on the first PDF (a failed import is tried again on the next). */
const loadRenderer = (): Promise<Renderer> =>
  (renderer ??= (import(/* @vite-ignore */ rendererSpecifier()) as Promise<Renderer>).catch((e: unknown) => {
    renderer = undefined;
    throw e;
  }));

/** Loaded on first use: a function that never renders a PDF never loads pdf-lib and fontkit, neither at its cold start nor in its bundle. */
export const renderCertificatePdf = async (input: CertificatePdfInput): Promise<Uint8Array> => (await loadRenderer()).renderCertificatePdf(input);
export { maskName, maskNumber, maskedStatement, TITLES, type CertificateKind, type DepositStatement, type Holder, type PayoffStatement, type Statement } from './domain/certificate.ts';
