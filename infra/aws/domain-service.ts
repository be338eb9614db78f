// One construct per domain: every topology function of the domain (HpfFunction), the SQS event
// sources of its queue workers, its EventBridge Scheduler schedules and its throttle alarms.
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionByName, functions, queues, schedules, type Domain, type FunctionName } from '../topology.ts';
import { HpfFunction, type HpfResources } from './hpf-function.ts';

export interface DomainServiceProps {
  readonly domain: Domain;
  readonly resources: HpfResources;
  readonly centerCode: string;
  readonly jwt?: { issuer: string; audience: string };
  /** Where EventBridge Scheduler puts invocations it could not deliver after its retries. */
  readonly scheduleDlq: sqs.IQueue;
}

export class DomainService extends Construct {
  readonly functions = new Map<FunctionName, HpfFunction>();

  constructor(scope: Construct, id: string, props: DomainServiceProps) {
    super(scope, id);
    const { domain, resources } = props;

    for (const def of functions.filter((f) => f.domain === domain)) {
      const f = new HpfFunction(this, def.name, { def, resources, centerCode: props.centerCode, jwt: props.jwt });
      this.functions.set(def.name, f);

      if (def.kind === 'queue') {
        const consumed = queues.filter((q) => q.consumer === def.name);
        if (consumed.length === 0) throw new Error(`queue function ${def.name} consumes no topology queue`);
        for (const q of consumed) {
          if (q.visibilityTimeoutSeconds < def.timeoutSeconds) {
            // Lambda refuses an SQS event source whose visibility timeout is shorter than the function timeout.
            Annotations.of(f).addWarningV2(
              'hpf:visibilityTimeout',
              `queue ${q.name}: visibility timeout ${q.visibilityTimeoutSeconds}s < ${def.name} timeout ${def.timeoutSeconds}s; deployment of the event source mapping will be rejected (fix in infra/topology.ts)`,
            );
          }
          f.fn.addEventSource(
            new SqsEventSource(resources.queues[q.name], { batchSize: q.batchSize, reportBatchItemFailures: true, ...(q.maxConcurrency ? { maxConcurrency: q.maxConcurrency } : {}) }),
          );
        }
      }

      new cloudwatch.Alarm(f, 'ThrottlesAlarm', {
        alarmDescription: `HPF ${def.name}: Lambda throttles`,
        metric: f.fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    for (const s of schedules.filter((x) => functionByName(x.target).domain === domain)) {
      const target = this.functions.get(s.target);
      if (!target) throw new Error(`schedule ${s.name}: target ${s.target} not built`);
      const role = new iam.Role(this, `Schedule-${s.name}-Role`, {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description: `EventBridge Scheduler: ${s.name} -> ${s.target}`,
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.fn.functionArn] }),
      );
      props.scheduleDlq.grantSendMessages(role);

      new scheduler.CfnSchedule(this, `Schedule-${s.name}`, {
        name: `${Stack.of(this).stackName}-${s.name}`,
        description: s.description,
        scheduleExpression: s.expression,
        scheduleExpressionTimezone: s.timezone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: target.fn.functionArn,
          roleArn: role.roleArn,
          input: JSON.stringify({ ...s.input, scheduledTime: '<aws.scheduler.scheduled-time>' }), // the business date comes from the event
          retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
          deadLetterConfig: { arn: props.scheduleDlq.queueArn },
        },
      });
    }
  }
}
