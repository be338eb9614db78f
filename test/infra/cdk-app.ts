// Builds the CDK app once per test file (vitest evaluates this module once per file) and exposes the
// synthesised templates plus small lookup helpers for targeted `Template` assertions.
//
// Asset bundling is skipped here (`buildApp({ bundling: false })` sets the context key
// `aws:cdk:bundling-stacks` to []): the templates are identical apart from asset hashes, and the
// real esbuild bundling is covered once by test/infra/synth.test.ts. CDK's built-in CloudFormation
// schema validation (~5 s) is also left to synth.test.ts. cdk-nag still runs at this synth.
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/aws/app.ts';
import { buckets, tables, queues, type BucketName, type FunctionName, type QueueName, type TableName } from '../../infra/topology.ts';

export const built = buildApp({ bundling: false, cfnValidation: false });
const { stateful, services } = built;

/** Export names (as imported by HpfServices) of the table and queue ARNs, names and URLs, and of the data and sealing keys. */
const importName = (value: string): string => {
  const resolved = services.resolve(stateful.exportValue(value)) as { 'Fn::ImportValue': string };
  return resolved['Fn::ImportValue'];
};
export const tableArnImport = Object.fromEntries(
  tables.map((t) => [t.name, importName(stateful.tables[t.name].tableArn)]),
) as Record<TableName, string>;
export const queueArnImport = Object.fromEntries(
  queues.map((q) => [q.name, importName(stateful.queues[q.name].queueArn)]),
) as Record<QueueName, string>;
export const tableNameImport = Object.fromEntries(
  tables.map((t) => [t.name, importName(stateful.tables[t.name].tableName)]),
) as Record<TableName, string>;
export const queueUrlImport = Object.fromEntries(
  queues.map((q) => [q.name, importName(stateful.queues[q.name].queueUrl)]),
) as Record<QueueName, string>;
export const keyArnImport = importName(stateful.key.keyArn);
export const sealingKeyArnImport = importName(stateful.sealingKey.keyArn);
export const bucketArnImport = Object.fromEntries(buckets.map((b) => [b.name, importName(stateful.buckets[b.name].bucketArn)])) as Record<BucketName, string>;
export const bucketNameImport = Object.fromEntries(buckets.map((b) => [b.name, importName(stateful.buckets[b.name].bucketName)])) as Record<BucketName, string>;
export const documentsKeyArnImport = importName(stateful.documentsKey.keyArn);

// Synthesises the app (cdk-nag runs as a validation plugin and would throw on an unacknowledged error).
export const statefulTemplate = Template.fromStack(stateful);
export const servicesTemplate = Template.fromStack(services);

export const logicalId = (c: IConstruct): string => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);

/** Logical id of the Lambda function / its role for a topology function. */
export function functionIds(name: FunctionName): { fn: string; role: string } {
  const f = services.functions.get(name);
  if (!f) throw new Error(`no function ${name}`);
  return { fn: logicalId(f.fn), role: logicalId(f.role) };
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** Every IAM statement attached (through AWS::IAM::Policy) to the role with this logical id. */
export function roleStatements(roleLogicalId: string): Statement[] {
  const policies = servicesTemplate.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const mentions = (s: Statement, needle: string): boolean => JSON.stringify(s.Resource).includes(needle);
