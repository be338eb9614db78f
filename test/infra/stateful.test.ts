// HpfStateful: the data and sealing keys, tables (PITR, deletion protection, KMS, retained, GSIs, TTL, stream) and queues
// (DLQ with the topology's maxReceiveCount, encryption, SSL-only, FIFO pairs, visibility timeout).
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { queues, tables } from '../../infra/topology.ts';
import { STREAMED_TABLES } from '../../infra/aws/stateful-stack.ts';
import { built, logicalId, statefulTemplate as t } from './cdk-app.ts';

const { stateful } = built;
const resource = (id: string) => t.toJSON().Resources[id];

describe('tables', () => {
  it('one DynamoDB table per topology table, nothing else', () => {
    t.resourceCountIs('AWS::DynamoDB::Table', tables.length);
  });

  it('three keys, the data key, the sealing key and the documents key: each rotates and is retained', () => {
    t.resourceCountIs('AWS::KMS::Key', 3);
    for (const key of [stateful.key, stateful.sealingKey, stateful.documentsKey]) {
      const r = resource(logicalId(key));
      expect(r.Type).toBe('AWS::KMS::Key');
      expect(r.Properties.EnableKeyRotation).toBe(true);
      expect(r.DeletionPolicy).toBe('Retain');
      expect(r.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('the sealing key encrypts no table, and its key policy names no principal but the account (IAM decides, see services.test.ts)', () => {
    const sealing = logicalId(stateful.sealingKey);
    for (const x of tables) expect(JSON.stringify(resource(logicalId(stateful.tables[x.name])).Properties.SSESpecification)).not.toContain(sealing);
    const statements = resource(sealing).Properties.KeyPolicy.Statement as { Principal: unknown; Effect: string }[];
    expect(statements.length).toBeGreaterThan(0);
    for (const st of statements) {
      expect(st.Effect).toBe('Allow');
      expect(JSON.stringify(st.Principal)).toMatch(/^\{"AWS":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":iam::",\{"Ref":"AWS::AccountId"\},":root"\]\]\}\}$/);
    }
  });

  it.each(tables.map((x) => [x.name, x] as const))('%s: keys, GSIs, PITR, deletion protection, KMS, retained, TTL', (name, def) => {
    const r = resource(logicalId(stateful.tables[name]));
    expect(r.Type).toBe('AWS::DynamoDB::Table');
    expect(r.DeletionPolicy).toBe('Retain');
    expect(r.UpdateReplacePolicy).toBe('Retain');
    const p = r.Properties;
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.DeletionProtectionEnabled).toBe(true);
    expect(p.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(stateful.key), 'Arn'] },
    });
    expect((p.GlobalSecondaryIndexes ?? []).map((g: { IndexName: string }) => g.IndexName)).toEqual([...def.gsis]);
    for (const gsi of p.GlobalSecondaryIndexes ?? []) {
      expect(gsi.KeySchema).toEqual([
        { AttributeName: `${gsi.IndexName}pk`, KeyType: 'HASH' },
        { AttributeName: `${gsi.IndexName}sk`, KeyType: 'RANGE' },
      ]);
      expect(gsi.Projection).toEqual({ ProjectionType: 'ALL' });
    }
    if (def.ttlAttribute) expect(p.TimeToLiveSpecification).toEqual({ AttributeName: def.ttlAttribute, Enabled: true });
    else expect(p.TimeToLiveSpecification).toBeUndefined();
    if (STREAMED_TABLES.includes(name)) expect(p.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    else expect(p.StreamSpecification).toBeUndefined();
  });

  it('the interprovincial table streams NEW_IMAGE (no consumer: the outbox is relayed by its sweeper)', () => {
    expect(resource(logicalId(stateful.tables.interprovincial)).Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
  });
});

describe('queues', () => {
  it('a main queue and a DLQ per topology queue', () => {
    t.resourceCountIs('AWS::SQS::Queue', queues.length * 2);
  });

  it.each(queues.map((q) => [q.name, q] as const))('%s: DLQ, maxReceiveCount, encryption, visibility, FIFO', (name, def) => {
    const main = resource(logicalId(stateful.queues[name])).Properties;
    const dlqId = logicalId(stateful.dlqs[name]);
    const dlq = resource(dlqId).Properties;

    expect(main.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: def.maxReceiveCount });
    expect(main.VisibilityTimeout).toBe(def.visibilityTimeoutSeconds);
    for (const q of [main, dlq]) {
      expect(q.SqsManagedSseEnabled === true || q.KmsMasterKeyId !== undefined).toBe(true);
      if (def.fifo) {
        expect(q.FifoQueue).toBe(true);
        expect(q.ContentBasedDeduplication).toBe(false);
      } else {
        expect(q.FifoQueue).toBeUndefined();
      }
    }
    expect(dlq.RedrivePolicy).toBeUndefined();
  });

  it('the FIFO queue (interprovincial-inbound) has a FIFO DLQ', () => {
    const fifo = queues.filter((q) => q.fifo);
    expect(fifo.map((q) => q.name)).toContain('interprovincial-inbound');
    for (const q of fifo) {
      expect(resource(logicalId(stateful.queues[q.name])).Properties.FifoQueue).toBe(true);
      expect(resource(logicalId(stateful.dlqs[q.name])).Properties.FifoQueue).toBe(true);
    }
  });

  it('every queue refuses non-TLS requests', () => {
    for (const q of queues) {
      for (const queue of [stateful.queues[q.name], stateful.dlqs[q.name]]) {
        t.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: logicalId(queue) }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    }
  });
});
