// HTTP entry point of the loans domain (placeholder until the domain is built).
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('loans', {});
