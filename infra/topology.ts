// The one description of the system: tables, queues, functions, routes and schedules.
// Both the CDK app (infra/aws) and the embedded local runtime (infra/local) read this file;
// adding a route, a queue or a schedule is one edit here.

export type Role = 'member' | 'unit' | 'staff' | 'auditor' | 'admin';
export type Auth = 'jwt' | 'partner' | 'jwt-or-partner' | 'none';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type TableName =
  | 'ledger'
  | 'deposits'
  | 'withdrawals'
  | 'loans'
  | 'supervision'
  | 'interprovincial'
  | 'settlement'
  | 'documents'
  | 'certificates'
  | 'archive'
  | 'idempotency';

export interface TableDef {
  name: TableName;
  /** Every table: partition key `pk`, sort key `sk` (strings). */
  gsis: readonly string[]; // index names; index `gsiN` has keys `gsiNpk` / `gsiNsk`
  ttlAttribute?: string; // expiry in epoch seconds; DynamoDB Local never expires: code compares it itself
}

export type QueueName =
  | 'remittance-posting'
  | 'interest-settlement'
  | 'loan-batch'
  | 'audit-segments'
  | 'interprovincial-inbound'
  | 'interprovincial-outbound'
  | 'settlement-payments';

export interface QueueDef {
  name: QueueName;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number; // then the message moves to `<name>-dlq`
  consumer: FunctionName;
  batchSize: number;
  /**
   * The consumer's concurrency at most (the SQS event source's ScalingConfig.MaximumConcurrency on
   * AWS, which takes 2 to 1,000; the local poller's): a long run that must leave the store to members.
   */
  maxConcurrency?: number;
}

export type FunctionName =
  | 'deposits-http'
  | 'deposits-remittance-worker'
  | 'deposits-interest-worker'
  | 'deposits-schedule'
  | 'withdrawals-http'
  | 'loans-http'
  | 'loans-batch-worker'
  | 'loans-schedule'
  | 'supervision-http'
  | 'supervision-audit-worker'
  | 'supervision-schedule'
  | 'interprovincial-http'
  | 'interprovincial-inbound-worker'
  | 'interprovincial-outbound-worker'
  | 'interprovincial-schedule'
  | 'settlement-http'
  | 'settlement-payment-worker'
  | 'settlement-schedule'
  | 'settlement-reconciler'
  | 'documents-http'
  | 'certificates-http';

export type Domain = 'deposits' | 'withdrawals' | 'loans' | 'supervision' | 'interprovincial' | 'settlement' | 'documents' | 'certificates';

/** Object-store buckets (S3 in the cloud, the SQS server's S3 emulation locally). */
export type BucketName = 'documents';

export interface BucketDef {
  name: BucketName;
  /** Uploads never completed (status PENDING) are removed after this many days (lifecycle rule on `uploads/`). */
  pendingUploadExpiryDays: number;
}

export const buckets: readonly BucketDef[] = [{ name: 'documents', pendingUploadExpiryDays: 2 }];

export interface FunctionDef {
  name: FunctionName;
  domain: Domain;
  kind: 'http' | 'queue' | 'schedule';
  /** Source file (relative to the repo root) and the exported handler. */
  entry: string;
  handler: string;
  timeoutSeconds: number;
  memoryMb: number;
  tables: Partial<Record<TableName, 'read' | 'readwrite'>>;
  sendsTo: readonly QueueName[];
  /** Queues whose attributes the function reads (health checks). */
  inspects?: readonly QueueName[];
  /** Object-store buckets the function uses (pre-signing is a use: the URL carries the function's rights). */
  buckets?: Partial<Record<BucketName, 'read' | 'readwrite'>>;
  /** Needs the partner secrets (outbound signing). */
  partnerSecrets?: boolean;
  /** Files (relative to the repo root) shipped beside the bundle and read at run time, not bundled. */
  files?: readonly string[];
  /**
   * Modules built on their own beside the bundle (esbuild, the bundle's options: infra/aws/hpf-function.ts)
   * and imported at run time by a computed specifier, so that the bundle does not contain them: `entry`
   * relative to the repo root, `out` the file name beside index.mjs.
   */
  chunks?: readonly { entry: string; out: string }[];
}

export interface RouteDef {
  method: Method;
  path: string; // API Gateway style: /v1/units/{unitId}
  fn: FunctionName;
  /** `jwt`: API Gateway's JWT authoriser (locally the gateway) verifies the token; roles and
   * ownership are checked by the handler. `partner`: HMAC-signed, verified by the handler.
   * `jwt-or-partner`: either; the handler verifies whichever the caller brings (no authoriser). */
  auth: Auth;
}

export interface ScheduleDef {
  name: string;
  /** EventBridge Scheduler expression, evaluated in `timezone`. */
  expression: string;
  timezone: 'Asia/Shanghai';
  target: FunctionName;
  input: Record<string, unknown>;
  description: string;
}

const domainTable = (name: TableName, gsis: readonly string[] = ['gsi1', 'gsi2']): TableDef => ({ name, gsis });

export const tables: readonly TableDef[] = [
  domainTable('ledger'),
  domainTable('deposits'),
  domainTable('withdrawals', ['gsi1', 'gsi2', 'gsi3']), // gsi3: the review queue

  domainTable('loans'), // gsi1: the staff queues (APPLIED, APPROVED); gsi2: loans due for the daily run
  domainTable('supervision'),
  { ...domainTable('interprovincial'), ttlAttribute: 'expiresAt' },
  { ...domainTable('settlement'), ttlAttribute: 'expiresAt' }, // 资金结算: banks, arrival notices, suspense items, payment orders, reconciliation runs
  domainTable('documents'), // uploaded evidence (材料): metadata and status; the objects are in the documents bucket
  domainTable('certificates'), // issued certificates (电子证明) by verification code, and the latest per subject
  { name: 'archive', gsis: [] }, // the electronic archive (电子档案): one item per action on a business record
  { name: 'idempotency', gsis: [], ttlAttribute: 'expiresAt' },
];

export const queues: readonly QueueDef[] = [
  { name: 'remittance-posting', fifo: false, visibilityTimeoutSeconds: 60, maxReceiveCount: 5, consumer: 'deposits-remittance-worker', batchSize: 1 },
  // the June 30 run while members keep withdrawing: at most 2 pages at a time (issue 20: the city benchmark)
  { name: 'interest-settlement', fifo: false, visibilityTimeoutSeconds: 120, maxReceiveCount: 5, consumer: 'deposits-interest-worker', batchSize: 1, maxConcurrency: 2 },
  { name: 'loan-batch', fifo: false, visibilityTimeoutSeconds: 120, maxReceiveCount: 5, consumer: 'loans-batch-worker', batchSize: 1 },
  { name: 'audit-segments', fifo: false, visibilityTimeoutSeconds: 120, maxReceiveCount: 5, consumer: 'supervision-audit-worker', batchSize: 1 },
  { name: 'interprovincial-inbound', fifo: true, visibilityTimeoutSeconds: 60, maxReceiveCount: 5, consumer: 'interprovincial-inbound-worker', batchSize: 10 },
  { name: 'interprovincial-outbound', fifo: false, visibilityTimeoutSeconds: 60, maxReceiveCount: 5, consumer: 'interprovincial-outbound-worker', batchSize: 10 },
  // payment orders to the banks (one message per paymentId; sent once, retried with back-off)
  { name: 'settlement-payments', fifo: false, visibilityTimeoutSeconds: 60, maxReceiveCount: 5, consumer: 'settlement-payment-worker', batchSize: 10 },
];

const http = (domain: Domain, tablesUsed: FunctionDef['tables'], sendsTo: QueueName[] = [], extra: Partial<FunctionDef> = {}): FunctionDef => ({
  name: `${domain}-http` as FunctionName,
  domain,
  kind: 'http',
  entry: `functions/${domain}/http.ts`,
  handler: 'handler',
  timeoutSeconds: 29,
  memoryMb: 512,
  tables: { ...tablesUsed, idempotency: 'readwrite' },
  sendsTo,
  ...extra,
});

const worker = (name: FunctionName, domain: Domain, exportName: string, tablesUsed: FunctionDef['tables'], sendsTo: QueueName[] = [], extra: Partial<FunctionDef> = {}): FunctionDef => ({
  name,
  domain,
  kind: 'queue',
  entry: `functions/${domain}/queue.ts`,
  handler: exportName,
  timeoutSeconds: 60,
  memoryMb: 1024,
  tables: tablesUsed,
  sendsTo,
  ...extra,
});

const scheduled = (domain: Domain, tablesUsed: FunctionDef['tables'], sendsTo: QueueName[] = [], extra: Partial<FunctionDef> = {}): FunctionDef => ({
  name: `${domain}-schedule` as FunctionName,
  domain,
  kind: 'schedule',
  entry: `functions/${domain}/schedule.ts`,
  handler: 'handler',
  timeoutSeconds: 300,
  memoryMb: 1024,
  tables: tablesUsed,
  sendsTo,
  ...extra,
});

/** The certificates' font (Noto Sans SC, OFL-1.1) and its licence, beside the bundles that render certificate PDFs. */
const CERTIFICATE_FONT = ['node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf', 'node_modules/@expo-google-fonts/noto-sans-sc/LICENSE_FONT'];
/** The certificate PDF renderer (pdf-lib, fontkit): its own module beside those bundles, imported on the first PDF. */
const CERTIFICATE_PDF = [{ entry: 'functions/certificates/usecases/pdf.ts', out: 'certificate-pdf.mjs' }];

export const functions: readonly FunctionDef[] = [
  http('deposits', { ledger: 'readwrite', deposits: 'readwrite', archive: 'readwrite', certificates: 'readwrite' }, ['remittance-posting', 'interest-settlement'], { files: CERTIFICATE_FONT, chunks: CERTIFICATE_PDF }),
  worker('deposits-remittance-worker', 'deposits', 'remittancePosting', { ledger: 'readwrite', deposits: 'readwrite', archive: 'readwrite' }),
  worker('deposits-interest-worker', 'deposits', 'interestSettlement', { ledger: 'readwrite', deposits: 'readwrite' }, ['interest-settlement']),
  scheduled('deposits', { deposits: 'readwrite' }, ['interest-settlement', 'remittance-posting']),

  // a withdrawal paid to a bank account is paid by a payment order (settlement/public.ts) in its commit
  http('withdrawals', { ledger: 'readwrite', withdrawals: 'readwrite', loans: 'readwrite', settlement: 'readwrite', archive: 'readwrite', documents: 'readwrite' }, ['settlement-payments']),

  http('loans', { ledger: 'readwrite', loans: 'readwrite', deposits: 'read', withdrawals: 'readwrite', settlement: 'readwrite', archive: 'readwrite', documents: 'readwrite', certificates: 'readwrite' }, ['settlement-payments'], { files: CERTIFICATE_FONT, chunks: CERTIFICATE_PDF }),
  worker('loans-batch-worker', 'loans', 'loanBatch', { ledger: 'readwrite', loans: 'readwrite', archive: 'readwrite' }, ['loan-batch']),
  scheduled('loans', {}, ['loan-batch']), // fans out to the loan-batch queue: the worker reads and writes the loans

  http('supervision', { ledger: 'read', supervision: 'readwrite', loans: 'read', deposits: 'read', withdrawals: 'read', interprovincial: 'read', archive: 'read' }, ['audit-segments'], {
    inspects: ['remittance-posting', 'interest-settlement', 'loan-batch', 'audit-segments', 'interprovincial-inbound', 'interprovincial-outbound'],
    files: ['functions/supervision/openapi.json'], // served by GET /v1/openapi.json, read on first request
  }),
  worker('supervision-audit-worker', 'supervision', 'auditSegment', { ledger: 'read', supervision: 'readwrite', loans: 'read', deposits: 'read', withdrawals: 'read' }, ['audit-segments']),
  scheduled('supervision', { ledger: 'read', supervision: 'readwrite', loans: 'read', deposits: 'read' }, ['audit-segments']),

  http('interprovincial', { ledger: 'readwrite', interprovincial: 'readwrite', archive: 'readwrite' }, ['interprovincial-inbound', 'interprovincial-outbound']),
  // documents: a partner's withdrawal goes through the withdrawals' apply, which attaches the documents it names (none from a partner)
  worker('interprovincial-inbound-worker', 'interprovincial', 'inboundRequest', { ledger: 'readwrite', interprovincial: 'readwrite', loans: 'readwrite', deposits: 'readwrite', withdrawals: 'readwrite', settlement: 'readwrite', archive: 'readwrite', certificates: 'readwrite', documents: 'readwrite' }, ['interprovincial-outbound', 'settlement-payments']),
  worker('interprovincial-outbound-worker', 'interprovincial', 'outboundMessage', { interprovincial: 'readwrite', archive: 'readwrite' }, [], { partnerSecrets: true }),
  scheduled('interprovincial', { ledger: 'read', interprovincial: 'readwrite', withdrawals: 'read', archive: 'readwrite' }, ['interprovincial-inbound', 'interprovincial-outbound']),

  // settlement (资金结算): banks call it signed (X-HPF-Bank); an arrival notice settles a remittance
  // (deposits), repays a loan (loans) or deposits to a flexible account through their public.ts
  // a payment result's effect (a failed withdrawal's reversal, a disbursement's or a transfer's payment
  // status) commits with the result through the paying domain's public.ts
  http('settlement', { ledger: 'readwrite', settlement: 'readwrite', deposits: 'readwrite', loans: 'readwrite', withdrawals: 'readwrite', interprovincial: 'readwrite', archive: 'readwrite', supervision: 'readwrite' }, ['settlement-payments', 'remittance-posting']),
  worker('settlement-payment-worker', 'settlement', 'paymentOrders', { settlement: 'readwrite' }),
  scheduled('settlement', { settlement: 'read' }, ['settlement-payments']), // re-sends: reads the orders, the worker records the sends
  // the daily bank reconciliation signs its statement requests (a bank secret), so it is not the sweeper
  { ...scheduled('settlement', { settlement: 'readwrite', supervision: 'readwrite' }), name: 'settlement-reconciler', handler: 'reconciler' },

  // documents (材料): pre-signed uploads to the documents bucket, checked against their SHA-256
  http('documents', { documents: 'readwrite' }, [], { buckets: { documents: 'readwrite' } }),
  // certificates (电子证明): anyone verifies a certificate by its code
  // reads only: no idempotent route, so no idempotency table (http() adds it to the others)
  { ...http('certificates', {}), tables: { certificates: 'read' } },
];

export const routes: readonly RouteDef[] = [
  // platform
  { method: 'GET', path: '/v1/health', fn: 'supervision-http', auth: 'none' },
  { method: 'GET', path: '/v1/openapi.json', fn: 'supervision-http', auth: 'none' },

  // collection (deposits)
  { method: 'POST', path: '/v1/units', fn: 'deposits-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/units/{unitId}', fn: 'deposits-http', auth: 'jwt' },
  { method: 'PATCH', path: '/v1/units/{unitId}', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/units/{unitId}/employees', fn: 'deposits-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/units/{unitId}/employees', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/units/{unitId}/employees/{accountNo}/seal', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/units/{unitId}/base-adjustments', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/units/{unitId}/deferrals', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/units/{unitId}/remittances', fn: 'deposits-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/units/{unitId}/remittances', fn: 'deposits-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/remittances/{remittanceId}', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/remittances/{remittanceId}/settlements', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/flexible-accounts', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/accounts/{accountNo}/deposits', fn: 'deposits-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/accounts/{accountNo}', fn: 'deposits-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/accounts/{accountNo}/entries', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/accounts/{accountNo}/freeze', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/accounts/{accountNo}/unfreeze', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/interest-settlements', fn: 'deposits-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/interest-settlements/{runId}', fn: 'deposits-http', auth: 'jwt' },

  // withdrawals
  { method: 'POST', path: '/v1/withdrawals', fn: 'withdrawals-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/withdrawals', fn: 'withdrawals-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/withdrawals/{withdrawalId}', fn: 'withdrawals-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/accounts/{accountNo}/withdrawals', fn: 'withdrawals-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/withdrawals/{withdrawalId}/approve', fn: 'withdrawals-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/withdrawals/{withdrawalId}/reject', fn: 'withdrawals-http', auth: 'jwt' },

  // loans
  { method: 'POST', path: '/v1/loan-quotes', fn: 'loans-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/loans', fn: 'loans-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/loans', fn: 'loans-http', auth: 'jwt' }, // the staff queues (APPLIED, APPROVED): loans' gsi1
  { method: 'POST', path: '/v1/loans/{loanId}/approve', fn: 'loans-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/loans/{loanId}/reject', fn: 'loans-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/loans/{loanId}/disburse', fn: 'loans-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/loans/{loanId}', fn: 'loans-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/loans/{loanId}/schedule', fn: 'loans-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/loans/{loanId}/repayments', fn: 'loans-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/loans/{loanId}/prepayments', fn: 'loans-http', auth: 'jwt' },
  { method: 'PUT', path: '/v1/loans/{loanId}/offset', fn: 'loans-http', auth: 'jwt' },
  { method: 'DELETE', path: '/v1/loans/{loanId}/offset', fn: 'loans-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/loans/{loanId}/deferrals', fn: 'loans-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/loans/{loanId}/payoff-certificate', fn: 'loans-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/loans/{loanId}/disbursement-payments', fn: 'loans-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/accounts/{accountNo}/deposit-certificate', fn: 'deposits-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/co-borrower-consents', fn: 'loans-http', auth: 'jwt' },
  { method: 'DELETE', path: '/v1/co-borrower-consents/{consentId}', fn: 'loans-http', auth: 'jwt' },

  // supervision
  { method: 'POST', path: '/v1/supervision/audit-runs', fn: 'supervision-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/supervision/audit-runs/{runId}', fn: 'supervision-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/supervision/findings', fn: 'supervision-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/supervision/findings/{findingId}/resolve', fn: 'supervision-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/supervision/indicators', fn: 'supervision-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/supervision/indicators/history', fn: 'supervision-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/ratings', fn: 'supervision-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/archive/{subjectType}/{subjectId}', fn: 'supervision-http', auth: 'jwt' },

  // inter-provincial
  { method: 'PUT', path: '/v1/interprovincial/partners/{centerCode}', fn: 'interprovincial-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/interprovincial/requests', fn: 'interprovincial-http', auth: 'partner' },
  { method: 'GET', path: '/v1/interprovincial/requests/{trackingId}', fn: 'interprovincial-http', auth: 'jwt-or-partner' },
  { method: 'GET', path: '/v1/interprovincial/requests', fn: 'interprovincial-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/interprovincial/transfer-requests', fn: 'interprovincial-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/interprovincial/transfer-requests/{transferId}', fn: 'interprovincial-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/interprovincial/transfer-requests/{transferId}/cancel', fn: 'interprovincial-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/interprovincial/callbacks', fn: 'interprovincial-http', auth: 'partner' },

  // banks and settlement (委托银行, 资金结算): `partner` = signed by the counterparty (here X-HPF-Bank)
  { method: 'PUT', path: '/v1/banks/{bankCode}', fn: 'settlement-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/bank/notifications', fn: 'settlement-http', auth: 'partner' },
  { method: 'POST', path: '/v1/bank/payment-results', fn: 'settlement-http', auth: 'partner' },
  { method: 'GET', path: '/v1/bank/payments', fn: 'settlement-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/bank/suspense', fn: 'settlement-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/bank/suspense/{itemId}/assign', fn: 'settlement-http', auth: 'jwt' },
  { method: 'POST', path: '/v1/bank/reconciliations', fn: 'settlement-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/bank/reconciliations/{runId}', fn: 'settlement-http', auth: 'jwt' },

  // documents and certificates (材料, 电子证明)
  { method: 'POST', path: '/v1/documents', fn: 'documents-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/documents/{documentId}', fn: 'documents-http', auth: 'jwt' },
  { method: 'GET', path: '/v1/certificates/{verificationCode}', fn: 'certificates-http', auth: 'none' },
];

export const schedules: readonly ScheduleDef[] = [
  { name: 'interest-settlement-annual', expression: 'cron(0 23 30 6 ? *)', timezone: 'Asia/Shanghai', target: 'deposits-schedule', input: { task: 'interest-settlement' }, description: 'Annual interest settlement for the year ending June 30 (结息)' },
  { name: 'remittance-posting-sweeper', expression: 'rate(5 minutes)', timezone: 'Asia/Shanghai', target: 'deposits-schedule', input: { task: 'remittance-sweep' }, description: 'Re-enqueues the pending chunks of remittances whose posting stalled (汇缴入账补偿)' },
  { name: 'loans-daily', expression: 'cron(0 1 * * ? *)', timezone: 'Asia/Shanghai', target: 'loans-schedule', input: { task: 'daily' }, description: 'Monthly offset (月对冲), overdue marking and penalty interest' },
  { name: 'loans-reprice-annual', expression: 'cron(5 0 1 1 ? *)', timezone: 'Asia/Shanghai', target: 'loans-schedule', input: { task: 'reprice' }, description: 'Existing loans take the rate in force on January 1 (贷款利率年初调整)' },
  { name: 'audit-daily', expression: 'cron(0 2 * * ? *)', timezone: 'Asia/Shanghai', target: 'supervision-schedule', input: { task: 'audit' }, description: 'Daily electronic audit (电子稽查) with reconciliation' },
  { name: 'indicators-snapshot-daily', expression: 'cron(55 23 * * ? *)', timezone: 'Asia/Shanghai', target: 'supervision-schedule', input: { task: 'snapshot' }, description: 'Daily fund indicator snapshot' },
  { name: 'outbox-sweeper', expression: 'rate(1 minute)', timezone: 'Asia/Shanghai', target: 'interprovincial-schedule', input: { task: 'sweep-outbox' }, description: 'Relays inter-provincial messages whose send did not follow their commit' },
  { name: 'payment-orders-sweeper', expression: 'rate(1 minute)', timezone: 'Asia/Shanghai', target: 'settlement-schedule', input: { task: 'sweep-payments' }, description: 'Re-sends payment orders whose send did not follow their commit or was not acknowledged (付款指令补发)' },
  { name: 'bank-reconciliation-daily', expression: 'cron(30 1 * * ? *)', timezone: 'Asia/Shanghai', target: 'settlement-reconciler', input: { task: 'reconcile' }, description: "Daily bank reconciliation of yesterday's statements (银行对账)" },
];

/** Physical names: the local runtime uses these; CDK passes its generated names through the same env vars. */
export { tableEnvVar, queueEnvVar } from '../shared/config.ts';
export const queuePhysicalName = (q: QueueDef, prefix = 'hpf') => `${prefix}-${q.name}${q.fifo ? '.fifo' : ''}`;
export const dlqPhysicalName = (q: QueueDef, prefix = 'hpf') => `${prefix}-${q.name}-dlq${q.fifo ? '.fifo' : ''}`;

export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method} ${r.path}`;
export const functionByName = (name: FunctionName) => {
  const f = functions.find((x) => x.name === name);
  if (!f) throw new Error(`unknown function ${name}`);
  return f;
};
