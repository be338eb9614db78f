// HTTP entry point of the certificates domain (电子证明): anyone verifies a certificate by its code.
import { httpHandler, route } from '../../shared/http.ts';
import { verifyCertificate } from './usecases/verify.ts';

export const handler = httpHandler('certificates', {
  'GET /v1/certificates/{verificationCode}': route({
    auth: 'none',
    summary: 'Verify a certificate: what it states (names and ID numbers masked), when it was issued, whether it is still valid',
    handle: async (req) => ({ status: 200, body: await verifyCertificate(req.params.verificationCode) }),
  }),
});
