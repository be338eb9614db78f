// Stateful stack: the KMS keys (the tables' data key; the sealing key of shared/secrets.ts; the
// documents key), one DynamoDB table per topology table, one queue + DLQ per topology queue, and one
// S3 bucket per topology bucket (with the bucket of their server access logs). Everything here is retained on stack deletion; the services stack receives these
// constructs through `StatefulStack`'s public properties (CDK turns them into exports/imports).
import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { buckets, queues, tables, type BucketDef, type BucketName, type QueueDef, type QueueName, type TableDef, type TableName } from '../topology.ts';

/**
 * Key prefixes of the documents bucket (functions/documents/domain/document.ts): uploads land under
 * `uploads/` through a pre-signed PUT; the check that makes a document STORED writes the checked bytes
 * under `stored/` and deletes the upload. S3's lifecycle cannot see a document's status, so the prefix
 * is the status: whatever is still under `uploads/` after the topology's `pendingUploadExpiryDays` was
 * never stored (its URL lasted 15 minutes) and expires; `stored/` never expires (the archive's evidence).
 */
export const UPLOAD_PREFIX = 'uploads/';
export const STORED_PREFIX = 'stored/';

/**
 * Tables with a DynamoDB stream (NEW_IMAGE). No function consumes it: the interprovincial outbox is
 * relayed by the send after its commit and the sweeper (functions/interprovincial/usecases/relay.ts).
 */
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
  /** Customer-managed key of the object store's buckets (uploaded evidence: ID scans, contracts). */
  readonly documentsKey: kms.Key;
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly buckets: Record<BucketName, s3.Bucket>;
  /** Where the buckets' server access logs go. */
  readonly accessLogs: s3.Bucket;
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

    this.documentsKey = new kms.Key(this, 'DocumentsKey', {
      description: 'HPF Cloud documents key (S3 buckets of uploaded evidence)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.tables = Object.fromEntries(tables.map((t) => [t.name, this.table(t)])) as Record<TableName, dynamodb.Table>;

    // the object store's buckets; S3 delivers server access logs under a bucket policy (not the
    // legacy log-delivery ACL: every bucket here has ACLs disabled)
    const store = new Construct(this, 'ObjectStore');
    store.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    // server access logs: S3 delivers them only to a bucket with S3-managed encryption
    this.accessLogs = new s3.Bucket(store, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(400) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket of the documents buckets: logging its own access would log the log deliveries.',
    });
    this.buckets = Object.fromEntries(buckets.map((b) => [b.name, this.bucket(store, b)])) as Record<BucketName, s3.Bucket>;

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

  /**
   * A documents bucket: SSE-KMS under the documents key (S3 Bucket Keys: one KMS call per object
   * rather than per request), public access blocked, versioned (an overwrite or a delete keeps the
   * earlier version), TLS only (a bucket policy denies any request without aws:SecureTransport),
   * access logged, retained with the stack. Lifecycle: see UPLOAD_PREFIX.
   */
  private bucket(scope: Construct, b: BucketDef): s3.Bucket {
    return new s3.Bucket(scope, `Bucket-${b.name}`, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.documentsKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: `${b.name}/`,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        // an upload never checked (the document stayed PENDING): gone after pendingUploadExpiryDays,
        // its versions (a replaced or refused upload) a day after they stop being current
        { id: 'expire-unstored-uploads', prefix: UPLOAD_PREFIX, expiration: Duration.days(b.pendingUploadExpiryDays), noncurrentVersionExpiration: Duration.days(1) },
        { id: 'remove-upload-delete-markers', prefix: UPLOAD_PREFIX, expiredObjectDeleteMarker: true },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
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
