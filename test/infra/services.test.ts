// HpfServices: functions (runtime, arch, tracing, environment, least privilege), queue event sources,
// the HTTP API (one route per topology route, JWT where the topology says so, throttling, access
// logs), EventBridge Scheduler schedules and alarms.
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functions, queueEnvVar, queues, routeKey, routes, schedules, tableEnvVar, tables } from '../../infra/topology.ts';
import { API_THROTTLE } from '../../infra/aws/services-stack.ts';
import { SEALING_GRANTS } from '../../infra/aws/hpf-function.ts';
import { bucketEnvVar } from '../../shared/config.ts';
import {
  actionsOf,
  built,
  functionIds,
  keyArnImport,
  logicalId,
  mentions,
  queueArnImport,
  queueUrlImport,
  roleStatements,
  sealingKeyArnImport,
  servicesTemplate as t,
  tableArnImport,
  tableNameImport,
} from './cdk-app.ts';

const { stateful, services } = built;
const resources = () => t.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
const lambdaProps = (name: (typeof functions)[number]['name']) => resources()[functionIds(name).fn].Properties;
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

describe('functions', () => {
  it('one Lambda function per topology function', () => {
    t.resourceCountIs('AWS::Lambda::Function', functions.length);
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s: nodejs22.x, arm64, tracing, memory, timeout, log group', (name, def) => {
    const p = lambdaProps(name);
    expect(p.Runtime).toBe('nodejs22.x');
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.TracingConfig).toEqual({ Mode: 'Active' });
    expect(p.MemorySize).toBe(def.memoryMb);
    expect(p.Timeout).toBe(def.timeoutSeconds);
    expect(p.Handler).toBe(`index.${def.handler}`);
    const logGroupId = logicalId(services.functions.get(name)!.logGroup);
    expect(p.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
    expect(resources()[logGroupId].Properties.RetentionInDays).toBe(30);
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s: environment names exactly its tables and queues', (name, def) => {
    const env = lambdaProps(name).Environment.Variables as Record<string, unknown>;
    const queuesUsed = new Set([...def.sendsTo, ...(def.inspects ?? [])]);
    const expected = [
      'HPF_CENTER_CODE',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
      ...Object.keys(def.tables).map(tableEnvVar),
      ...[...queuesUsed].map(queueEnvVar),
      // a function that verifies optional bearer tokens itself (jwt-or-partner routes) knows the issuer
      ...(routes.some((r) => r.fn === name && r.auth === 'jwt-or-partner') ? ['HPF_JWT_ISSUER', 'HPF_JWT_AUDIENCE', 'HPF_JWT_JWKS_URL'] : []),
      // a function granted the sealing key knows which key it is (shared/secrets.ts)
      ...(SEALING_GRANTS[name] ? ['HPF_SEALING_KEY_ID'] : []),
      // and one that uses a bucket its physical name (shared/config.ts bucketName)
      ...Object.keys(def.buckets ?? {}).map(bucketEnvVar),
    ];
    expect(Object.keys(env).sort()).toEqual(expected.sort());
    expect(env.HPF_CENTER_CODE).toBe(services.node.tryGetContext('hpf:centerCode'));
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(env.POWERTOOLS_SERVICE_NAME).toBe(name);
    for (const table of Object.keys(def.tables) as (keyof typeof tableNameImport)[]) {
      expect(env[tableEnvVar(table)]).toEqual({ 'Fn::ImportValue': tableNameImport[table] });
    }
    for (const q of queuesUsed) expect(env[queueEnvVar(q)]).toEqual({ 'Fn::ImportValue': queueUrlImport[q] });
    if (SEALING_GRANTS[name]) expect(env.HPF_SEALING_KEY_ID).toEqual({ 'Fn::ImportValue': sealingKeyArnImport });
  });

  it('no function environment carries a secret', () => {
    for (const f of functions) {
      const env = lambdaProps(f.name).Environment.Variables as Record<string, unknown>;
      for (const [k, v] of Object.entries(env)) {
        expect(k).not.toMatch(/SECRET|PASSWORD|TOKEN|PRIVATE/i);
        expect(JSON.stringify(v)).not.toMatch(/secret|password/i);
      }
    }
  });
});

describe('least privilege', () => {
  it.each(functions.map((f) => [f.name, f] as const))('%s: tables, KMS and queues exactly as the topology says', (name, def) => {
    const statements = roleStatements(functionIds(name).role);
    for (const table of tables) {
      const onTable = statements.filter((s) => mentions(s, tableArnImport[table.name]));
      const access = def.tables[table.name];
      if (!access) {
        expect(onTable, `${name} must not touch ${table.name}`).toEqual([]);
        continue;
      }
      const actions = onTable.flatMap(actionsOf);
      expect(actions).toContain('dynamodb:Query');
      if (access === 'readwrite') expect(actions).toEqual(expect.arrayContaining(WRITE_ACTIONS));
      else expect(actions.filter((a) => WRITE_ACTIONS.includes(a))).toEqual([]);
    }
    // the data key comes with the tables: a function without any (loans-schedule only sends) has none
    const kms = statements.filter((s) => mentions(s, keyArnImport)).flatMap(actionsOf);
    expect(kms.includes('kms:Decrypt')).toBe(Object.keys(def.tables).length > 0);
    expect(kms.includes('kms:Encrypt')).toBe(Object.values(def.tables).includes('readwrite'));

    for (const q of queues) {
      const onQueue = statements.filter((s) => mentions(s, queueArnImport[q.name])).flatMap(actionsOf);
      expect(onQueue.includes('sqs:SendMessage'), `${name} send ${q.name}`).toBe(def.sendsTo.includes(q.name));
      expect(onQueue.includes('sqs:ReceiveMessage'), `${name} receive ${q.name}`).toBe(q.consumer === name);
      const needsAttributes = def.sendsTo.includes(q.name) || q.consumer === name || (def.inspects ?? []).includes(q.name);
      expect(onQueue.includes('sqs:GetQueueAttributes'), `${name} inspect ${q.name}`).toBe(needsAttributes);
    }
    // Anything on `*` is X-Ray only.
    for (const s of statements.filter((x) => x.Resource === '*')) {
      expect(actionsOf(s).every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });

  it('withdrawals-http never mentions the deposits table; functions without sendsTo cannot send', () => {
    const withdrawals = JSON.stringify(roleStatements(functionIds('withdrawals-http').role));
    expect(withdrawals).not.toContain(tableArnImport.deposits);
    for (const f of functions.filter((x) => x.sendsTo.length === 0)) {
      expect(roleStatements(functionIds(f.name).role).flatMap(actionsOf)).not.toContain('sqs:SendMessage');
    }
  });
});

describe('the sealing key (partner secrets, shared/secrets.ts)', () => {
  const onSealingKey = (name: (typeof functions)[number]['name']) => roleStatements(functionIds(name).role).filter((s) => mentions(s, sealingKeyArnImport));
  const purposeOf = (s: object) => (s as { Condition?: { StringEquals?: Record<string, unknown> } }).Condition?.StringEquals?.['kms:EncryptionContext:purpose'];

  it('exactly the signing and verifying functions use it: the HTTP functions seal and open, the outbound and payment workers only open', () => {
    expect(Object.keys(SEALING_GRANTS).sort()).toEqual(['interprovincial-http', 'interprovincial-outbound-worker', 'settlement-http', 'settlement-payment-worker', 'settlement-reconciler']);
    expect(onSealingKey('settlement-reconciler').flatMap(actionsOf)).toEqual(['kms:Decrypt']);
    for (const [httpName, workerName, purpose] of [
      ['interprovincial-http', 'interprovincial-outbound-worker', 'partner-secret'],
      ['settlement-http', 'settlement-payment-worker', 'bank-secret'],
    ] as const) {
      const http = onSealingKey(httpName);
      expect(http.flatMap(actionsOf).sort()).toEqual(['kms:Decrypt', 'kms:Encrypt']);
      const worker = onSealingKey(workerName);
      expect(worker.flatMap(actionsOf)).toEqual(['kms:Decrypt']);
      for (const s of [...http, ...worker]) {
        expect(s.Effect).toBe('Allow');
        expect(s.Resource).toEqual({ 'Fn::ImportValue': sealingKeyArnImport });
        expect(purposeOf(s)).toEqual([purpose]); // only under its own encryption context
      }
    }
  });

  it.each(functions.map((f) => [f.name] as const))('%s: no other access to the sealing key, and no KMS action on any other resource than the two keys', (name) => {
    const statements = roleStatements(functionIds(name).role);
    const grant = SEALING_GRANTS[name];
    const actions = onSealingKey(name).flatMap(actionsOf);
    expect(actions.includes('kms:Decrypt'), `${name} opens`).toBe(!!grant?.open?.length);
    expect(actions.includes('kms:Encrypt'), `${name} seals`).toBe(!!grant?.seal?.length);
    expect(actions.filter((a) => a !== 'kms:Decrypt' && a !== 'kms:Encrypt')).toEqual([]);
    for (const s of statements.filter((x) => actionsOf(x).some((a) => a.startsWith('kms:')))) {
      expect(mentions(s, keyArnImport) || mentions(s, sealingKeyArnImport), `${name}: ${JSON.stringify(s.Resource)}`).toBe(true);
    }
  });

  it('the settlement sweeper never signs: it cannot open a bank secret', () => {
    expect(onSealingKey('settlement-schedule')).toEqual([]);
  });

  it('the interprovincial table readers that do not sign (supervision, the inbound worker, the sweeper) cannot open a partner secret', () => {
    const readers = functions.filter((f) => f.tables.interprovincial && !SEALING_GRANTS[f.name]).map((f) => f.name);
    expect(readers.sort()).toEqual(['interprovincial-inbound-worker', 'interprovincial-schedule', 'supervision-http']);
    for (const name of readers) expect(onSealingKey(name)).toEqual([]);
  });

  it('no policy anywhere in the services stack grants KMS on `*`', () => {
    for (const p of Object.values(t.findResources('AWS::IAM::Policy'))) {
      for (const s of p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]) {
        if ((Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a.startsWith('kms:'))) expect(s.Resource).not.toBe('*');
      }
    }
  });
});

describe('queue workers', () => {
  it('one event source mapping per topology queue, partial batch responses on', () => {
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', queues.length);
    for (const q of queues) {
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionIds(q.consumer).fn },
        EventSourceArn: { 'Fn::ImportValue': queueArnImport[q.name] },
        BatchSize: q.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ...(q.maxConcurrency ? { ScalingConfig: { MaximumConcurrency: q.maxConcurrency } } : {}),
      });
    }
  });

  // the interest run leaves the store to members (issue 20); Lambda takes 2 to 1,000
  it("a queue's consumer concurrency cap is its event source's maximum concurrency, within Lambda's range", () => {
    const capped = queues.filter((q) => q.maxConcurrency !== undefined);
    expect(capped.map((q) => q.name)).toContain('interest-settlement');
    for (const q of capped) expect(q.maxConcurrency! >= 2 && q.maxConcurrency! <= 1000).toBe(true);
    const uncapped = Object.values(t.findResources('AWS::Lambda::EventSourceMapping')).filter((r: any) => !r.Properties.ScalingConfig);
    expect(uncapped).toHaveLength(queues.length - capped.length);
  });

  // Lambda rejects an SQS event source whose visibility timeout is below the function timeout.
  it('every queue visibility timeout >= its consumer timeout', () => {
    for (const q of queues) {
      const consumer = functions.find((f) => f.name === q.consumer)!;
      expect(q.visibilityTimeoutSeconds, q.name).toBeGreaterThanOrEqual(consumer.timeoutSeconds);
    }
  });
});

describe('HTTP API', () => {
  it('one route per topology route, JWT exactly where the topology says jwt', () => {
    t.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    const byKey = new Map(
      Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => [r.Properties.RouteKey as string, r.Properties]),
    );
    const authorizerId = Object.keys(t.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    for (const r of routes) {
      const p = byKey.get(routeKey(r));
      expect(p, routeKey(r)).toBeDefined();
      if (r.auth === 'jwt') {
        expect(p.AuthorizationType).toBe('JWT');
        expect(p.AuthorizerId).toEqual({ Ref: authorizerId });
      } else {
        expect(p.AuthorizationType).toBe('NONE');
        expect(p.AuthorizerId).toBeUndefined();
      }
    }
  });

  it('routes integrate with the topology function (payload 2.0)', () => {
    const integrations = t.findResources('AWS::ApiGatewayV2::Integration');
    const routesByKey = Object.values(t.findResources('AWS::ApiGatewayV2::Route'));
    for (const r of routes) {
      const route = routesByKey.find((x) => x.Properties.RouteKey === routeKey(r))!;
      const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
      const integration = integrations[integrationId].Properties;
      expect(integration.PayloadFormatVersion).toBe('2.0');
      expect(integration.IntegrationUri).toEqual({ 'Fn::GetAtt': [functionIds(r.fn).fn, 'Arn'] });
    }
  });

  it('JWT authoriser uses the issuer and audience from context', () => {
    t.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: services.node.tryGetContext('hpf:jwtIssuer'),
        Audience: [services.node.tryGetContext('hpf:jwtAudience')],
      },
    });
  });

  it('default stage: auto-deploy, throttling, JSON access logs', () => {
    t.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
    const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0].Properties;
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      ip: '$context.identity.sourceIp',
      latency: '$context.responseLatency',
    });
  });
});

describe('schedules', () => {
  it.each(schedules.map((s) => [s.name, s] as const))('%s: expression, Asia/Shanghai, input with the scheduled time, target, role', (_name, s) => {
    // the business date comes from the event: the input carries Scheduler's scheduled time
    const input = JSON.stringify({ ...s.input, scheduledTime: '<aws.scheduler.scheduled-time>' });
    const found = Object.values(t.findResources('AWS::Scheduler::Schedule')).filter((r) => r.Properties.Target.Input === input && r.Properties.ScheduleExpression === s.expression);
    expect(found).toHaveLength(1);
    const p = found[0].Properties;
    expect(p.ScheduleExpressionTimezone).toBe('Asia/Shanghai');
    expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(p.State).toBe('ENABLED');
    const fnId = functionIds(s.target).fn;
    expect(p.Target.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    expect(p.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(p.Target.DeadLetterConfig.Arn).toBeDefined();

    // The role may invoke exactly that function (and write to the scheduler DLQ), nothing else.
    const roleId = p.Target.RoleArn['Fn::GetAtt'][0] as string;
    const role = resources()[roleId].Properties;
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
    const statements = roleStatements(roleId);
    const invoke = statements.filter((x) => actionsOf(x).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Resource).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    for (const x of statements) {
      expect(actionsOf(x).every((a) => a === 'lambda:InvokeFunction' || a.startsWith('sqs:'))).toBe(true);
    }
  });

  it('no schedule besides the topology ones', () => {
    t.resourceCountIs('AWS::Scheduler::Schedule', schedules.length);
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);

  it('a depth alarm (>= 1 visible) on every DLQ', () => {
    for (const q of queues) {
      const dlqName = services.resolve(stateful.exportValue(stateful.dlqs[q.name].queueName))['Fn::ImportValue'];
      const a = alarms().filter((x) => x.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(x.Dimensions).includes(dlqName));
      expect(a, q.name).toHaveLength(1);
      expect(a[0].Threshold).toBe(1);
      expect(a[0].ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    }
  });

  it('an API 5xx alarm and a throttles alarm per function', () => {
    expect(alarms().filter((x) => x.MetricName === '5xx' && x.Namespace === 'AWS/ApiGateway')).toHaveLength(1);
    const throttles = alarms().filter((x) => x.MetricName === 'Throttles' && x.Namespace === 'AWS/Lambda');
    expect(throttles).toHaveLength(functions.length);
  });

  it('a reconciliation alarm on the audit worker’s mismatch metric', () => {
    const a = alarms().filter((x) => x.Namespace === 'HPF' && x.MetricName === 'ReconciliationMismatch');
    expect(a).toHaveLength(1);
    expect(a[0].Dimensions).toEqual([{ Name: 'service', Value: 'supervision-audit-worker' }]);
    expect(a[0].Threshold).toBe(1);
  });
});
