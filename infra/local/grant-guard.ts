// Least privilege in the local runtime (issue 19): every function runs with only the grants
// infra/topology.ts gives it, as its IAM role allows in the cloud. All handlers share one process,
// one environment and one SDK client per service (shared/ddb.ts, shared/sqs.ts, shared/s3.ts), so
// the grant is not in the environment but in the clients: the runtime invokes each handler inside
// `runAs(grant, …)` (AsyncLocalStorage follows every await of the invocation) and a middleware on
// each shared client refuses, before anything is sent, a call that the running function's grant
// does not cover: a table, queue or bucket it is not granted, or a write where it may only read.
// The refusal is an AccessDeniedException naming the function, the action and the resource, so a
// grant missing from the topology fails here first, not in the cloud. Code outside an invocation
// (the runtime itself, tests' fixtures) is not a function and is not restricted.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FunctionDef, QueueName } from '../topology.ts';
import { queues } from '../topology.ts';

/** What a function may touch, and the physical names behind the logical ones. */
export interface RunningGrant {
  def: Pick<FunctionDef, 'name' | 'tables' | 'sendsTo' | 'inspects' | 'buckets'>;
  /** logical → physical (tables, buckets) or URL (queues). */
  names: { tables: Readonly<Record<string, string>>; queues: Readonly<Record<string, string>>; buckets: Readonly<Record<string, string>> };
  /** Told of every refusal (the runtime logs them: a handler may turn the error into a 500). */
  onRefusal?: (message: string) => void;
}

/** A call the running function's grant does not cover (the error AWS answers such a call with). */
export class GrantRefused extends Error {
  override name = 'AccessDeniedException';
  readonly $fault = 'client';
}

const running = new AsyncLocalStorage<RunningGrant>();

/** Runs `work` (a handler's invocation) with `grant`: the shared clients refuse what it does not cover. */
export const runAs = <T>(grant: RunningGrant, work: () => T): T => running.run(grant, work);

type Need = { kind: 'table' | 'queue' | 'bucket'; physical: string; action: string; write: boolean };

// physical → logical, built once per map of names (every call of every function looks one up)
const reversed = new WeakMap<object, Map<string, string>>();
function logicalOf(names: Readonly<Record<string, string>>, physical: string): string | undefined {
  let m = reversed.get(names);
  if (!m) reversed.set(names, (m = new Map(Object.entries(names).map(([logical, p]) => [p, logical]))));
  return m.get(physical);
}
/** Each queue's consumer (a worker may receive and delete its own queue's messages). */
const consumers = new Map<string, string | undefined>(queues.map((q) => [q.name, q.consumer]));

/** The tables a DynamoDB call touches, and whether it writes each (a ConditionCheck only reads). */
export function dynamodbNeeds(command: string, input: Record<string, any>): Need[] {
  const need = (physical: string, write: boolean): Need => ({ kind: 'table', physical, action: command.replace(/Command$/, ''), write });
  switch (command) {
    case 'GetItemCommand':
    case 'QueryCommand':
    case 'ScanCommand':
    case 'DescribeTableCommand':
      return [need(input.TableName, false)];
    case 'PutItemCommand':
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return [need(input.TableName, true)];
    case 'BatchGetItemCommand':
      return Object.keys(input.RequestItems ?? {}).map((t) => need(t, false));
    case 'BatchWriteItemCommand':
      return Object.keys(input.RequestItems ?? {}).map((t) => need(t, true));
    case 'TransactGetItemsCommand':
      return (input.TransactItems ?? []).map((i: any) => need(i.Get?.TableName, false));
    case 'TransactWriteItemsCommand':
      return (input.TransactItems ?? []).map((i: any) => {
        if (i.ConditionCheck) return need(i.ConditionCheck.TableName, false);
        const op = i.Put ?? i.Update ?? i.Delete;
        return need(op?.TableName, true);
      });
    default:
      return [{ kind: 'table', physical: String(input.TableName ?? '*'), action: command.replace(/Command$/, ''), write: true }];
  }
}

function refuse(grant: RunningGrant, message: string): never {
  const full = `local grants: ${grant.def.name} ${message} (infra/topology.ts)`;
  grant.onRefusal?.(full);
  throw new GrantRefused(full);
}

function checkTable(grant: RunningGrant, n: Need): void {
  const logical = logicalOf(grant.names.tables, n.physical);
  const access = logical ? grant.def.tables[logical as keyof FunctionDef['tables']] : undefined;
  if (!logical || !access) refuse(grant, `is not granted table ${logical ?? n.physical}: ${n.action} refused`);
  if (n.write && access !== 'readwrite') refuse(grant, `is granted table ${logical} read only: ${n.action} (a write) refused`);
}

function checkQueue(grant: RunningGrant, command: string, url: string): void {
  const logical = logicalOf(grant.names.queues, url) as QueueName | undefined;
  const action = command.replace(/Command$/, '');
  const consumer = !!logical && consumers.get(logical) === grant.def.name;
  const sends = !!logical && grant.def.sendsTo.includes(logical);
  const inspects = !!logical && (grant.def.inspects ?? []).includes(logical);
  const ok =
    command === 'SendMessageCommand' || command === 'SendMessageBatchCommand'
      ? sends
      : command === 'GetQueueAttributesCommand'
        ? sends || inspects || consumer
        : ['ReceiveMessageCommand', 'DeleteMessageCommand', 'DeleteMessageBatchCommand', 'ChangeMessageVisibilityCommand', 'ChangeMessageVisibilityBatchCommand'].includes(command) && consumer;
  if (!ok) refuse(grant, `is not granted ${action} on queue ${logical ?? url}`);
}

function checkBucket(grant: RunningGrant, command: string, physical: string): void {
  const logical = logicalOf(grant.names.buckets, physical);
  const access = logical ? grant.def.buckets?.[logical as keyof NonNullable<FunctionDef['buckets']>] : undefined;
  const action = command.replace(/Command$/, '');
  if (!logical || !access) refuse(grant, `is not granted bucket ${logical ?? physical}: ${action} refused`);
  const reads = /^(Get|Head|List)/.test(action);
  if (!reads && access !== 'readwrite') refuse(grant, `is granted bucket ${logical} read only: ${action} (a write) refused`);
}

interface GuardedClient {
  middlewareStack: { add: (mw: any, options: any) => void; identify?: () => string[] };
}

const MIDDLEWARE = 'hpfLocalGrants';

/** Puts the grant check on a shared client (once: the check reads the running function's grant). */
export function guardClient(service: 'dynamodb' | 'sqs' | 's3', client: GuardedClient): void {
  if (client.middlewareStack.identify?.().some((m) => m.startsWith(MIDDLEWARE))) return;
  const middleware = (next: (args: any) => Promise<any>, context: { commandName?: string }) => async (args: { input: Record<string, any> }) => {
    const grant = running.getStore();
    if (grant) {
      const command = context.commandName ?? 'UnknownCommand';
      if (service === 'dynamodb') for (const n of dynamodbNeeds(command, args.input)) checkTable(grant, n);
      else if (service === 'sqs') checkQueue(grant, command, String(args.input.QueueUrl ?? ''));
      else checkBucket(grant, command, String(args.input.Bucket ?? ''));
    }
    return next(args);
  };
  client.middlewareStack.add(middleware, { step: 'initialize', name: MIDDLEWARE, priority: 'high' });
}
