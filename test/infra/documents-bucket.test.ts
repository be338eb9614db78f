// The object store in CDK (issue 17): the documents bucket (SSE-KMS under its own key, public access
// blocked, versioned, TLS only, access logged, lifecycle for uploads never stored, retained) and its
// grants: exactly the functions whose topology `buckets` name it, with BUCKET_DOCUMENTS set on them.
import { describe, expect, it } from 'vitest';
import { buckets, functions } from '../../infra/topology.ts';
import { STORED_PREFIX, UPLOAD_PREFIX } from '../../infra/aws/stateful-stack.ts';
import { bucketEnvVar } from '../../shared/config.ts';
import { actionsOf, bucketArnImport, bucketNameImport, built, documentsKeyArnImport, functionIds, logicalId, roleStatements, servicesTemplate, statefulTemplate } from './cdk-app.ts';

const { stateful } = built;
const statefulResources = () => statefulTemplate.toJSON().Resources as Record<string, { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
const bucketResource = () => statefulResources()[logicalId(stateful.buckets.documents)];
const policyOf = (bucketId: string) => Object.values(statefulResources()).find((r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: bucketId }));

describe('the documents bucket', () => {
  it('one bucket per topology bucket, and the access-log bucket', () => {
    statefulTemplate.resourceCountIs('AWS::S3::Bucket', buckets.length + 1);
  });

  it('SSE-KMS under the documents key with a bucket key, all public access blocked, ACLs off, versioned, retained', () => {
    const r = bucketResource();
    expect(r.DeletionPolicy).toBe('Retain');
    expect(r.UpdateReplacePolicy).toBe('Retain');
    const p = r.Properties;
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(stateful.documentsKey), 'Arn'] } } },
    ]);
    expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logicalId(stateful.accessLogs) }, LogFilePrefix: 'documents/' });
  });

  it('lifecycle: uploads never stored expire after pendingUploadExpiryDays, stored documents never', () => {
    const rules = bucketResource().Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    const days = buckets.find((b) => b.name === 'documents')!.pendingUploadExpiryDays;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Id: 'expire-unstored-uploads', Prefix: UPLOAD_PREFIX, Status: 'Enabled', ExpirationInDays: days, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }),
        expect.objectContaining({ Id: 'remove-upload-delete-markers', Prefix: UPLOAD_PREFIX, Status: 'Enabled', ExpiredObjectDeleteMarker: true }),
        expect.objectContaining({ Id: 'abort-incomplete-multipart-uploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]),
    );
    expect(rules).toHaveLength(3);
    // only the upload prefix expires anything (the rule without a prefix only aborts multipart uploads)
    for (const rule of rules) {
      if (rule.ExpirationInDays !== undefined || rule.NoncurrentVersionExpiration !== undefined) expect(rule.Prefix).toBe(UPLOAD_PREFIX);
      expect(String(rule.Prefix ?? '')).not.toContain(STORED_PREFIX);
    }
  });

  it.each([
    ['documents', () => logicalId(stateful.buckets.documents)],
    ['access-log', () => logicalId(stateful.accessLogs)],
  ])('the %s bucket policy denies every request without TLS', (_name, id) => {
    const statements = policyOf(id())!.Properties.PolicyDocument.Statement as { Effect: string; Action: unknown; Condition?: unknown; Principal?: unknown }[];
    expect(statements).toEqual(
      expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    );
  });

  it('the documents bucket refuses TLS older than 1.2, and its policy allows nothing to anyone', () => {
    const statements = policyOf(logicalId(stateful.buckets.documents))!.Properties.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[];
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
    expect(statements).toEqual(expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } })]));
  });

  it('the access-log bucket takes log deliveries (S3 logging service, from the documents bucket) under a policy, not an ACL', () => {
    const logs = statefulResources()[logicalId(stateful.accessLogs)].Properties;
    expect(logs.AccessControl).toBeUndefined();
    expect(logs.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    const allow = (policyOf(logicalId(stateful.accessLogs))!.Properties.PolicyDocument.Statement as { Effect: string; Principal?: any; Action: unknown }[]).filter((s) => s.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0].Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
    expect(allow[0].Action).toBe('s3:PutObject');
  });
});

describe('grants', () => {
  const mentionsBucket = (s: unknown) => JSON.stringify(s).includes(bucketArnImport.documents);

  it('exactly the functions whose topology names the bucket may use it, with BUCKET_DOCUMENTS set', () => {
    const users = functions.filter((f) => f.buckets?.documents).map((f) => f.name);
    expect(users).toEqual(['documents-http']);
    for (const f of functions) {
      const statements = roleStatements(functionIds(f.name).role);
      const env = servicesTemplate.toJSON().Resources[functionIds(f.name).fn].Properties.Environment.Variables as Record<string, unknown>;
      if (users.includes(f.name)) {
        expect(statements.some(mentionsBucket), f.name).toBe(true);
        expect(env[bucketEnvVar('documents')]).toEqual({ 'Fn::ImportValue': bucketNameImport.documents });
      } else {
        expect(statements.filter(mentionsBucket), f.name).toEqual([]);
        expect(statements.filter((s) => JSON.stringify(s.Resource).includes(documentsKeyArnImport)), f.name).toEqual([]);
        expect(env[bucketEnvVar('documents')], f.name).toBeUndefined();
      }
    }
  });

  it('documents-http reads, writes and deletes objects of that bucket only, and uses the documents key', () => {
    const statements = roleStatements(functionIds('documents-http').role);
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.length).toBeGreaterThan(0);
    for (const s of s3) {
      expect(s.Effect).toBe('Allow');
      expect(JSON.stringify(s.Resource)).toContain(bucketArnImport.documents);
    }
    const actions = s3.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:PutObject', 's3:DeleteObject*']));
    expect(actions).not.toContain('s3:*');
    expect(actions).not.toContain('s3:PutBucketPolicy');
    const kms = statements.filter((s) => JSON.stringify(s.Resource).includes(documentsKeyArnImport));
    expect(kms.flatMap(actionsOf)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
  });
});
