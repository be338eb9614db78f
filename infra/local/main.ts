// `npm start`: the whole system on this machine. Options: --port N (or PORT), --data DIR (persist
// DynamoDB Local there; default in memory), --center CODE (or HPF_CENTER_CODE), --dynamodb-port N,
// --sqs-port N, --no-scheduler.
import { parseArgs } from 'node:util';
import { startLocalRuntime } from './runtime.ts';
import { DEFAULT_DEV_SECRET } from './jwt.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_DEV ??= 'true'; // readable log records locally

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    center: { type: 'string' },
    'dynamodb-port': { type: 'string' },
    'sqs-port': { type: 'string' },
    'no-scheduler': { type: 'boolean' },
    prefix: { type: 'string' },
  },
});

const t0 = Date.now();
const runtime = await startLocalRuntime({
  port: Number(values.port ?? process.env.PORT ?? 3000),
  dataDir: values.data ?? process.env.HPF_DATA_DIR,
  centerCode: values.center,
  dynamodbPort: values['dynamodb-port'] ? Number(values['dynamodb-port']) : process.env.HPF_DYNAMODB_PORT ? Number(process.env.HPF_DYNAMODB_PORT) : undefined,
  sqsPort: values['sqs-port'] ? Number(values['sqs-port']) : process.env.HPF_SQS_PORT ? Number(process.env.HPF_SQS_PORT) : undefined,
  scheduler: !values['no-scheduler'],
  prefix: values.prefix,
  log: (m) => console.error(m),
});

console.log(`HPF Cloud is running (center ${process.env.HPF_CENTER_CODE}) in ${Date.now() - t0} ms
  API          ${runtime.url}/v1  (health: ${runtime.url}/v1/health)
  DynamoDB     ${runtime.dynamodbEndpoint}${values.data ? ` (data in ${values.data})` : ' (in memory)'}
  SQS          ${runtime.sqsEndpoint}
  Bank         ${runtime.bank ? `${runtime.bank.url} (simulator, registered as ${runtime.bank.bankCode}; a unit pays: POST ${runtime.url}/_local/bank/arrivals)` : '(none)'}
  JWT secret   ${process.env.HPF_JWT_SECRET ? '(from HPF_JWT_SECRET)' : `${DEFAULT_DEV_SECRET} (development default)`}
  Sealing key  ${process.env.HPF_LOCAL_SEALING_KEY ? '(from HPF_LOCAL_SEALING_KEY)' : '(development default, shared/secrets.ts)'}; every listener on 127.0.0.1 only
  API docs     ${runtime.url}/docs
  A token:     npm run token -- --role staff --branch '*'
  A schedule:  npm run schedule -- audit-daily
Ctrl-C stops everything.`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('stopping…');
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
