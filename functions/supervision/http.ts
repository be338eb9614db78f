// HTTP entry point of the supervision domain (监管) and the platform routes (health).
import { httpHandler, route } from '../../shared/http.ts';
import { health } from '../../shared/health.ts';
import openapi from './openapi.json' with { type: 'json' };

const QUEUES = ['remittance-posting', 'interest-settlement', 'loan-batch', 'audit-segments', 'interprovincial-inbound', 'interprovincial-outbound'];

export const handler = httpHandler('supervision-http', {
  'GET /v1/health': route({ auth: 'none', summary: 'Health of the store and the queues', handle: () => health(QUEUES) }),
  'GET /v1/openapi.json': route({ auth: 'none', summary: 'This OpenAPI 3.1 document', handle: async () => ({ status: 200, body: openapi }) }),
});
