// Support of the hardening tests (faults.test.ts, workload.test.ts), with no vitest import:
//  - `api`: a domain's HTTP handler invoked in-process with the API Gateway v2 event the local
//    gateway builds (route match, JWT claims as strings under requestContext.authorizer.jwt.claims);
//  - `QueueTap`: replaces the SQS client's send in this process, keeps what the code sends, and
//    delivers it to the topology's consumers with real SQS events (redelivery of failures, FIFO
//    groups in order, deduplication ids honoured), so that tests decide when and how often a message
//    arrives;
//  - fault injection into the shared DynamoDB document client (throttles, conflicts, lost answers);
//  - a seeded random generator, unique resident IDs, a fake partner center (HTTP server);
//  - the reconciliation of accounts against their entries and their branches' control totals.
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ProvisionedThroughputExceededException, ThrottlingException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { buildHttpEvent, matchRoute } from '../../infra/local/gateway.ts';
import { queues, type FunctionName, type QueueName } from '../../infra/topology.ts';
import { queueEnvVar } from '../../shared/config.ts';
import { ddb } from '../../shared/ddb.ts';
import { sqs } from '../../shared/sqs.ts';
import { signedHeaders } from '../../shared/signature.ts';
import { cryptoRandom, dateIn, residentIdOf } from '../../infra/local/random.ts';
import { allEntries, controlTotals, getAccounts, verifyChain, type Account, type ControlTotals, type EntryType } from '../../shared/ledger/ledger.ts';
import { handler as depositsHttp } from '../../functions/deposits/http.ts';
import { handler as withdrawalsHttp } from '../../functions/withdrawals/http.ts';
import { handler as loansHttp } from '../../functions/loans/http.ts';
import { handler as supervisionHttp } from '../../functions/supervision/http.ts';
import { handler as interprovincialHttp } from '../../functions/interprovincial/http.ts';
import { handler as settlementHttp } from '../../functions/settlement/http.ts';
import { interestSettlement, remittancePosting } from '../../functions/deposits/queue.ts';
import { loanBatch } from '../../functions/loans/queue.ts';
import { auditSegment } from '../../functions/supervision/queue.ts';
import { inboundRequest, outboundMessage } from '../../functions/interprovincial/queue.ts';
import { paymentOrders } from '../../functions/settlement/queue.ts';

// ---------- HTTP handlers in-process ----------

export interface Claims {
  sub: string;
  role: 'member' | 'unit' | 'staff' | 'auditor' | 'admin';
  accountNo?: string;
  unitId?: string;
  branch?: string;
}

export const staff = (branch: string): Claims => ({ sub: `staff-${branch}`, role: 'staff', branch });
export const member = (accountNo: string): Claims => ({ sub: `member-${accountNo}`, role: 'member', accountNo });
export const unitAgent = (unitId: string): Claims => ({ sub: `unit-${unitId}`, role: 'unit', unitId });
export const admin = (): Claims => ({ sub: 'admin-hardening', role: 'admin' });
export const auditor = (): Claims => ({ sub: 'auditor-hardening', role: 'auditor' });

type HttpFn = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const httpFunctions: Partial<Record<FunctionName, HttpFn>> = {
  'deposits-http': depositsHttp,
  'withdrawals-http': withdrawalsHttp,
  'loans-http': loansHttp,
  'supervision-http': supervisionHttp,
  'interprovincial-http': interprovincialHttp,
  'settlement-http': settlementHttp,
};

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Record<string, string>;
  /** The response body as sent (a replay must repeat it byte for byte). */
  raw: string;
}

export interface ApiOptions {
  as?: Claims;
  body?: unknown;
  rawBody?: string;
  /** Idempotency-Key: a fresh one on POST unless given or `false`. */
  idem?: string | false;
  headers?: Record<string, string>;
}

/** Calls the route's function as API Gateway would (payload 2.0), after the JWT authoriser step. */
export async function api<T = any>(method: string, pathAndQuery: string, opts: ApiOptions = {}): Promise<ApiResult<T>> {
  const url = new URL(pathAndQuery, 'http://hardening.local');
  const match = matchRoute(method, url.pathname);
  if (!match) throw new Error(`no route ${method} ${url.pathname}`);
  const fn = httpFunctions[match.def.fn];
  if (!fn) throw new Error(`no HTTP function ${match.def.fn}`);
  const headers: Record<string, string> = Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const raw = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (raw !== undefined) headers['content-type'] ??= 'application/json';
  if (method === 'POST' && opts.idem !== false) headers['idempotency-key'] ??= opts.idem ?? randomUUID();
  const claims = match.def.auth === 'jwt' && opts.as ? (Object.fromEntries(Object.entries(opts.as).filter(([, v]) => v !== undefined)) as Record<string, string>) : undefined;
  const event = buildHttpEvent({ def: match.def, pathParameters: match.pathParameters, url, headers, body: raw, claims });
  const requestId = event.requestContext.requestId;
  const context = { awsRequestId: requestId, functionName: match.def.fn, getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
  const result = await fn(event, context);
  const text = result.body ?? '';
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: result.statusCode ?? 200, body, headers: (result.headers ?? {}) as Record<string, string>, raw: text };
}

/** A partner center's signed call (api.md, Inter-provincial). */
export function partnerApi<T = any>(center: string, secret: string, method: string, path: string, body?: unknown) {
  const rawBody = body === undefined ? '' : JSON.stringify(body);
  return api<T>(method, path, { rawBody: body === undefined ? undefined : rawBody, idem: false, headers: signedHeaders(center, secret, { method, path, rawBody }) });
}

// ---------- SQS tapped in this process ----------

export interface TappedMessage {
  messageId: string;
  queue: QueueName;
  body: string;
  groupId?: string;
  deduplicationId?: string;
  receiveCount: number;
}

type QueueFn = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
const consumers: Record<QueueName, QueueFn> = {
  'remittance-posting': remittancePosting,
  'interest-settlement': interestSettlement,
  'loan-batch': loanBatch,
  'audit-segments': auditSegment,
  'interprovincial-inbound': inboundRequest,
  'interprovincial-outbound': outboundMessage,
  'settlement-payments': paymentOrders,
};

/** The SQS event of the source mapping for these messages (one receive of each). */
function sqsEvent(messages: readonly Pick<TappedMessage, 'messageId' | 'queue' | 'body' | 'groupId' | 'deduplicationId' | 'receiveCount'>[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: `rh-${m.messageId}-${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(Date.now()),
        SenderId: 'hardening',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
        ...(m.groupId ? { MessageGroupId: m.groupId } : {}),
        ...(m.deduplicationId ? { MessageDeduplicationId: m.deduplicationId } : {}),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:cn-north-1:000000000000:hpf-${m.queue}`,
      awsRegion: 'cn-north-1',
    })),
  } as SQSEvent;
}

/** Invokes a queue's consumer once with these messages; the ids it reports failed. */
export async function deliver(queue: QueueName, messages: readonly TappedMessage[]): Promise<string[]> {
  const out = await consumers[queue](sqsEvent(messages), { awsRequestId: randomUUID(), functionName: queue } as unknown as Context);
  return (out?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
}

const FIFO_DEDUP_WINDOW_MS = 5 * 60_000;

/**
 * Takes over `sqs.send` for the topology's queues: messages are kept here instead of being sent (the
 * runtime's pollers never see them). `failSend` may refuse a send (a crash between a commit and its
 * message); `drain` plays the event source mapping in-process.
 */
export class QueueTap {
  readonly pending: TappedMessage[] = [];
  /** Every message accepted, in order. */
  readonly sent: TappedMessage[] = [];
  /** Sends refused by `failSend`. */
  refused = 0;
  failSend?: (queue: QueueName, bodies: string[]) => boolean;
  private readonly dedup = new Map<string, number>();
  private readonly byUrl = new Map<string, QueueName>(queues.map((q) => [process.env[queueEnvVar(q.name)] ?? `missing:${q.name}`, q.name]));
  private original?: typeof sqs.send;

  install(): this {
    const original = sqs.send.bind(sqs) as typeof sqs.send;
    this.original = sqs.send;
    sqs.send = (async (command: unknown, ...rest: unknown[]) => {
      if (command instanceof SendMessageCommand || command instanceof SendMessageBatchCommand) {
        const queue = this.byUrl.get(command.input.QueueUrl ?? '');
        if (queue) return this.accept(queue, command);
      }
      return (original as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
    }) as typeof sqs.send;
    return this;
  }

  uninstall() {
    if (this.original) sqs.send = this.original;
    this.original = undefined;
  }

  private accept(queue: QueueName, command: SendMessageCommand | SendMessageBatchCommand) {
    const entries = command instanceof SendMessageCommand ? [{ Id: '0', ...command.input }] : (command.input.Entries ?? []);
    const bodies = entries.map((e) => e.MessageBody ?? '');
    if (this.failSend?.(queue, bodies)) {
      this.refused++;
      throw Object.assign(new Error('injected: the message send failed (process crashed after its commit)'), { name: 'InjectedSendFailure' });
    }
    const now = Date.now();
    const accepted = entries.map((e) => {
      const messageId = randomUUID();
      const dedupKey = e.MessageDeduplicationId && `${queue}|${e.MessageDeduplicationId}`;
      const duplicate = dedupKey && now - (this.dedup.get(dedupKey) ?? -Infinity) < FIFO_DEDUP_WINDOW_MS;
      if (dedupKey && !duplicate) this.dedup.set(dedupKey, now);
      if (!duplicate) {
        const m: TappedMessage = { messageId, queue, body: e.MessageBody ?? '', groupId: e.MessageGroupId, deduplicationId: e.MessageDeduplicationId, receiveCount: 0 };
        this.pending.push(m);
        this.sent.push(m);
      }
      return { Id: e.Id, MessageId: messageId };
    });
    return command instanceof SendMessageCommand ? { MessageId: accepted[0].MessageId, $metadata: {} } : { Successful: accepted, Failed: [], $metadata: {} };
  }

  /** Removes and returns the pending messages of a queue (optionally only those matching). */
  take(queue: QueueName, match: (body: any) => boolean = () => true): TappedMessage[] {
    const taken: TappedMessage[] = [];
    for (let i = 0; i < this.pending.length; ) {
      const m = this.pending[i];
      if (m.queue === queue && match(JSON.parse(m.body))) {
        taken.push(m);
        this.pending.splice(i, 1);
      } else i++;
    }
    return taken;
  }

  /**
   * Delivers pending messages (of `queue`, or all) until none is left: `concurrency` at a time, one per
   * event, FIFO groups one at a time and in order; a failed record comes back with its receive count
   * raised. A message failing `maxReceives` times is an error (it would sit in the DLQ). `around`
   * wraps each delivery (fault accounting).
   */
  async drain(opts: { queue?: QueueName; concurrency?: number; maxReceives?: number; around?: (m: TappedMessage, delivery: () => Promise<string[]>) => Promise<string[]> } = {}): Promise<{ deliveries: number; redeliveries: number }> {
    const concurrency = opts.concurrency ?? 4;
    const maxReceives = opts.maxReceives ?? 25;
    const busyGroups = new Set<string>();
    let deliveries = 0;
    let redeliveries = 0;
    const next = () => {
      const i = this.pending.findIndex((m) => (!opts.queue || m.queue === opts.queue) && !(m.groupId && busyGroups.has(`${m.queue}|${m.groupId}`)));
      return i < 0 ? undefined : this.pending.splice(i, 1)[0];
    };
    const worker = async () => {
      for (let m = next(); m; m = next()) {
        const group = m.groupId && `${m.queue}|${m.groupId}`;
        if (group) busyGroups.add(group);
        try {
          m.receiveCount++;
          deliveries++;
          if (m.receiveCount > 1) redeliveries++;
          const message = m;
          const delivery = () => deliver(message.queue, [message]);
          const failed = await (opts.around ? opts.around(message, delivery) : delivery());
          if (failed.includes(m.messageId)) {
            if (m.receiveCount >= maxReceives) throw new Error(`message on ${m.queue} failed ${m.receiveCount} times: ${m.body}`);
            this.pending.unshift(m); // redelivered (first in its group, as SQS FIFO would)
          }
        } finally {
          if (group) busyGroups.delete(group);
        }
      }
    };
    while (this.pending.some((m) => !opts.queue || m.queue === opts.queue)) await Promise.all(Array.from({ length: concurrency }, worker));
    return { deliveries, redeliveries };
  }
}

// ---------- fault injection ----------

export const injectedErrors = {
  throttling: () => new ThrottlingException({ message: 'injected: Rate of requests exceeds the allowed throughput', $metadata: {} }),
  provisioned: () => new ProvisionedThroughputExceededException({ message: 'injected: The level of configured provisioned throughput for the table was exceeded', $metadata: {} }),
  conflict: () => new TransactionCanceledException({ message: 'injected: Transaction cancelled', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }] }),
};

export type DdbCommand = Parameters<typeof ddb.send>[0];

/**
 * Routes every call of the shared document client through `intercept`, which gets the real call as
 * `send`: it may throw instead (a throttle), call it and then throw (the write applied, its answer
 * lost), or just return it. Returns the undo.
 */
export function interceptDdb(intercept: (command: DdbCommand, send: () => Promise<unknown>) => Promise<unknown>): () => void {
  const original = ddb.send;
  const bound = original.bind(ddb) as (...a: unknown[]) => Promise<unknown>;
  ddb.send = ((command: DdbCommand, ...rest: unknown[]) => intercept(command, () => bound(command, ...rest))) as typeof ddb.send;
  return () => {
    ddb.send = original;
  };
}

export const isTransactWrite = (command: DdbCommand) => command instanceof TransactWriteCommand;

// ---------- generators (the seeded one: infra/local/random.ts) ----------

const issuedIds = new Set<string>();
/** A valid resident ID born in 1985–1996 (loans stay within the age rule), unique in this process. */
export function uniqueResidentId(): string {
  for (;;) {
    const r = cryptoRandom();
    const id = residentIdOf(r, { region: '44', birthDate: dateIn(r, '1985-01-01', '1996-12-29') });
    if (!issuedIds.has(id)) {
      issuedIds.add(id);
      return id;
    }
  }
}

export const uniqueTag = (prefix: string) => `${prefix}${randomBytes(4).toString('hex').toUpperCase()}`;

// ---------- a partner center ----------

export interface PartnerCenter {
  url: string;
  /** Every POST it received: path, headers, body. */
  received: { path: string; headers: Record<string, string>; body: string }[];
  stop(): Promise<void>;
}

/** A partner's HTTP endpoint: answers 200 to callbacks and 202 with a tracking id to requests. */
export async function startPartnerCenter(): Promise<PartnerCenter> {
  const received: PartnerCenter['received'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      if ((req.url ?? '').endsWith('/requests')) res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ trackingId: `PT-${randomUUID()}`, status: 'RECEIVED' }));
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    received,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// ---------- reconciliation ----------

export interface AccountProblem {
  accountNo: string;
  problem: string;
}

export interface Reconciliation {
  accounts: Map<string, Account>;
  balanceSumFen: number;
  /** Σ balances per account's (current) branch. */
  balanceByBranchFen: Record<string, number>;
  /** Σ of the entries' amounts per type over the accounts. */
  entriesByTypeFen: Partial<Record<EntryType, number>>;
  /** Σ of the entries' amounts per `${entry branch}|${value-date period}|${type}`. */
  entriesByBranchPeriodTypeFen: Map<string, number>;
  totals: ControlTotals;
  problems: AccountProblem[];
}

/**
 * Every account against its entries (balance = Σ amounts = last balanceAfter, sequence numbers
 * 1…version without a gap, every entry in the account's hash chain), with the sums the control totals keep: when the accounts are all those of
 * `branches`, Σ balances and Σ per entry type equal the branches' control totals.
 */
export async function reconcile(accountNos: readonly string[], branches: readonly string[], concurrency = 8): Promise<Reconciliation> {
  const accounts = await getAccounts(accountNos);
  const problems: AccountProblem[] = [];
  const entriesByTypeFen: Partial<Record<EntryType, number>> = {};
  const entriesByBranchPeriodTypeFen = new Map<string, number>();
  const balanceByBranchFen: Record<string, number> = {};
  for (const no of accountNos) if (!accounts.has(no)) problems.push({ accountNo: no, problem: 'missing' });
  const queue = [...accounts.values()];
  const worker = async () => {
    for (let a = queue.pop(); a; a = queue.pop()) {
      const entries = await allEntries(a.accountNo);
      const sum = entries.reduce((s, e) => s + e.amountFen, 0);
      balanceByBranchFen[a.branch] = (balanceByBranchFen[a.branch] ?? 0) + a.balanceFen;
      for (const e of entries) {
        entriesByTypeFen[e.type] = (entriesByTypeFen[e.type] ?? 0) + e.amountFen;
        const k = `${e.branch}|${e.valueDate.slice(0, 7)}|${e.type}`;
        entriesByBranchPeriodTypeFen.set(k, (entriesByBranchPeriodTypeFen.get(k) ?? 0) + e.amountFen);
      }
      if (sum !== a.balanceFen) problems.push({ accountNo: a.accountNo, problem: `balance ${a.balanceFen} ≠ Σ entries ${sum}` });
      if (entries.length && entries[entries.length - 1].balanceAfterFen !== a.balanceFen) problems.push({ accountNo: a.accountNo, problem: `last balanceAfter ${entries[entries.length - 1].balanceAfterFen} ≠ balance ${a.balanceFen}` });
      if (entries.some((e, i) => e.seq !== i + 1) || entries.length !== a.version) problems.push({ accountNo: a.accountNo, problem: `entry sequence ${entries.map((e) => e.seq).join(',')} vs version ${a.version}` });
      // concurrent writers to one account serialize on its chain's head: every entry links to the one before
      const chain = verifyChain(a, entries);
      if (!chain.intact || chain.hashedEntries !== entries.length) problems.push({ accountNo: a.accountNo, problem: `hash chain: ${chain.hashedEntries}/${entries.length} entries hashed, ${JSON.stringify(chain.problems.slice(0, 3))}` });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const balanceSumFen = [...accounts.values()].reduce((s, a) => s + a.balanceFen, 0);
  return { accounts, balanceSumFen, balanceByBranchFen, entriesByTypeFen, entriesByBranchPeriodTypeFen, totals: await controlTotals(branches), problems };
}
