// Services stack: one DomainService per domain, the HTTP API (routes from the topology, JWT
// authoriser where the route says `jwt`), the scheduler DLQ and the alarms.
import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { functions, queues, routes, type Domain, type FunctionName } from '../topology.ts';
import { DomainService } from './domain-service.ts';
import type { HpfFunction } from './hpf-function.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface ServicesStackProps extends StackProps {
  readonly stateful: StatefulStack;
}

/** Stage throttling (requests per second, steady / burst). */
export const API_THROTTLE = { rateLimit: 500, burstLimit: 1000 } as const;

function requiredContext(scope: Construct, key: string): string {
  const v = scope.node.tryGetContext(key);
  if (typeof v !== 'string' || v === '') throw new Error(`missing CDK context "${key}" (cdk.json or -c ${key}=...)`);
  return v;
}

export class ServicesStack extends Stack {
  readonly domains = new Map<Domain, DomainService>();
  readonly functions = new Map<FunctionName, HpfFunction>();
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, { description: 'HPF Cloud: functions, HTTP API, schedules, alarms', ...props });
    const { stateful } = props;
    const centerCode = requiredContext(this, 'hpf:centerCode');
    const jwtIssuer = requiredContext(this, 'hpf:jwtIssuer');
    const jwtAudience = requiredContext(this, 'hpf:jwtAudience');

    // --- scheduler dead letters ------------------------------------------------------------
    const scheduleDlq = new sqs.Queue(this, 'ScheduleDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(scheduleDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: the target DeadLetterConfig of the EventBridge Scheduler schedules.',
    });

    // --- functions, one construct per domain ----------------------------------------------
    const resources = { tables: stateful.tables, queues: stateful.queues, sealingKey: stateful.sealingKey, buckets: stateful.buckets };
    const domainNames = [...new Set(functions.map((f) => f.domain))];
    for (const domain of domainNames) {
      const svc = new DomainService(this, `Domain-${domain}`, { domain, resources, centerCode, scheduleDlq, jwt: { issuer: jwtIssuer, audience: jwtAudience } });
      this.domains.set(domain, svc);
      for (const [name, f] of svc.functions) this.functions.set(name, f);
    }

    // --- HTTP API ----------------------------------------------------------------------------
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'HPF Cloud API (routes from infra/topology.ts)',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { ...API_THROTTLE },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            ip: '$context.identity.sourceIp',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            time: '$context.requestTime',
          }),
        ),
      },
    });

    const jwt = new HttpJwtAuthorizer('JwtAuthorizer', jwtIssuer, { jwtAudience: [jwtAudience] });
    const none = new apigw.HttpNoneAuthorizer();
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const r of routes) {
      const target = this.functions.get(r.fn);
      if (!target) throw new Error(`route ${r.method} ${r.path}: unknown function ${r.fn}`);
      let integration = integrations.get(r.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`Integration-${r.fn}`, target.fn);
        integrations.set(r.fn, integration);
      }
      const [route] = this.api.addRoutes({
        path: r.path,
        methods: [apigw.HttpMethod[r.method]],
        integration,
        authorizer: r.auth === 'jwt' ? jwt : none,
      });
      if (r.auth === 'partner' || r.auth === 'jwt-or-partner') {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'Partner route: partners carry no JWT; every request is HMAC-SHA256 signed and verified (constant-time, timestamp window, nonce) inside the interprovincial function (api.md). On jwt-or-partner routes a bearer token, when given, is verified by the function against the issuer JWKS.',
        });
      } else if (r.auth === 'none') {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'Public by design (health check / OpenAPI document): returns no personal or financial data.',
        });
      }
    }

    // --- alarms --------------------------------------------------------------------------------
    for (const q of queues) {
      new cloudwatch.Alarm(this, `DlqDepthAlarm-${q.name}`, {
        alarmDescription: `HPF ${q.name}-dlq has messages (failed ${q.maxReceiveCount} times)`,
        metric: stateful.dlqs[q.name].metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    new cloudwatch.Alarm(this, 'DlqDepthAlarm-schedules', {
      alarmDescription: 'HPF scheduler DLQ has messages (a schedule could not invoke its function)',
      metric: scheduleDlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // The Average of the `5xx` metric is the share of requests answered with a 5xx.
    new cloudwatch.Alarm(this, 'Api5xxAlarm', {
      alarmDescription: 'HPF API: more than 5% of requests end in 5xx',
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Average' }),
      threshold: 0.05,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Reconciliation (audit): any account, loan or fund-total mismatch is critical. The audit worker
    // emits HPF/ReconciliationMismatch (EMF, Powertools adds the `service` dimension = function name).
    new cloudwatch.Alarm(this, 'ReconciliationMismatchAlarm', {
      alarmDescription: 'HPF audit: balances do not reconcile with their entries or the control totals (critical)',
      metric: new cloudwatch.Metric({ namespace: 'HPF', metricName: 'ReconciliationMismatch', dimensionsMap: { service: 'supervision-audit-worker' }, period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
  }
}
