// HTTP entry point of the interprovincial domain (placeholder until the domain is built).
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('interprovincial', {});
