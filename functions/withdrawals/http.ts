// HTTP entry point of the withdrawals domain (placeholder until the domain is built).
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('withdrawals', {});
