// HTTP entry point of the certificates domain (skeleton: its routes are being built).
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('certificates', {});
