// HTTP entry point of the supervision domain (监管) and the platform routes (health).
import { httpHandler, route } from '../../shared/http.ts';
import { health } from '../../shared/health.ts';

const QUEUES = ['remittance-posting', 'interest-settlement', 'loan-batch', 'audit-segments', 'interprovincial-inbound', 'interprovincial-outbound'];

export const handler = httpHandler('supervision-http', {
  'GET /v1/health': route({ auth: 'none', handle: () => health(QUEUES) }),
});
