// HTTP entry point of the deposits domain (placeholder until the domain is built).
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('deposits', {});
