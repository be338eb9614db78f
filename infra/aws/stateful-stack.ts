// Stateful stack: the KMS keys (the tables' data key; the sealing key of shared/secrets.ts), one
// DynamoDB table per topology table, and one queue + DLQ per
// topology queue. Everything here is retained on stack deletion; the services stack receives these
// constructs through `StatefulStack`'s public properties (CDK turns them into exports/imports).
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { queues, tables, type QueueDef, type QueueName, type TableDef, type TableName } from '../topology.ts';

/** Tables whose changes are relayed through DynamoDB Streams (the outbox relay). */
export const STREAMED_TABLES: readonly TableName[] = ['interprovincial'];

export class StatefulStack extends Stack {
  /** Customer-managed key for every table (rotation on). */
  readonly key: kms.Key;
  /**
   * Customer-managed key that seals small secrets (partner centers' shared secrets, later the banks'):
   * shared/secrets.ts calls Encrypt / Decrypt with it under an encryption context. Distinct from the
   * data key on purpose: table access (which brings Decrypt on the data key) does not open a secret;
   * only the functions that infra/aws/hpf-function.ts `SEALING_GRANTS` names may use this key.
   */
  readonly sealingKey: kms.Key;
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly queues: Record<QueueName, sqs.Queue>;
  readonly dlqs: Record<QueueName, sqs.Queue>;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { description: 'HPF Cloud: tables, queues and the data key (stateful, retained)', ...props });

    this.key = new kms.Key(this, 'DataKey', {
      description: 'HPF Cloud data key (DynamoDB tables)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.sealingKey = new kms.Key(this, 'SealingKey', {
      description: 'HPF Cloud sealing key (shared secrets of partner centers and banks, sealed by shared/secrets.ts)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.tables = Object.fromEntries(tables.map((t) => [t.name, this.table(t)])) as Record<TableName, dynamodb.Table>;

    const pairs = queues.map((q) => [q.name, this.queue(q)] as const);
    this.queues = Object.fromEntries(pairs.map(([n, p]) => [n, p.main])) as Record<QueueName, sqs.Queue>;
    this.dlqs = Object.fromEntries(pairs.map(([n, p]) => [n, p.dlq])) as Record<QueueName, sqs.Queue>;
  }

  private table(t: TableDef): dynamodb.Table {
    const table = new dynamodb.Table(this, `Table-${t.name}`, {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: t.ttlAttribute,
      stream: STREAMED_TABLES.includes(t.name) ? dynamodb.StreamViewType.NEW_IMAGE : undefined,
    });
    for (const gsi of t.gsis) {
      table.addGlobalSecondaryIndex({
        indexName: gsi,
        partitionKey: { name: `${gsi}pk`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${gsi}sk`, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }

  private queue(q: QueueDef): { main: sqs.Queue; dlq: sqs.Queue } {
    const fifo = q.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
    // SQS-managed SSE: no key policy to maintain for SQS/Lambda/Scheduler principals.
    const common = { ...fifo, encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;
    const dlq = new sqs.Queue(this, `Queue-${q.name}-dlq`, { ...common, retentionPeriod: Duration.days(14) });
    const main = new sqs.Queue(this, `Queue-${q.name}`, {
      ...common,
      visibilityTimeout: Duration.seconds(q.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: dlq, maxReceiveCount: q.maxReceiveCount },
    });
    return { main, dlq };
  }
}
