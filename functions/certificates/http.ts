// HTTP entry point of the certificates domain (电子证明): anyone verifies a certificate by its code.
import { httpHandler, route } from '../../shared/http.ts';
import { verificationCodeParam } from './schemas.ts';
import { verifyCertificate } from './usecases/verify.ts';

export const handler = httpHandler('certificates', {
  'GET /v1/certificates/{verificationCode}': route({
    summary: "Verify a certificate / 电子证明核验",
    description: "Verify a certificate: what it states (names and ID numbers masked), when it was issued, whether it is still valid / 核验电子证明的真伪与有效性。",
    auth: 'none',
    handle: async (req) => ({ status: 200, body: await verifyCertificate(verificationCodeParam(req.params.verificationCode)) }),
  }),
});
