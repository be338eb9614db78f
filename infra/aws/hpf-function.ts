// The one Lambda function construct: fixes runtime, architecture, bundling, logs, tracing,
// environment wiring and least-privilege grants for a topology function.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queueEnvVar, routes, tableEnvVar, tables, type BucketName, type FunctionDef, type FunctionName, type QueueName, type TableName } from '../topology.ts';
import { SEALING_KEY_ENV } from '../../shared/secrets.ts';
import { bucketEnvVar } from '../../shared/config.ts';

/** Absolute path of the repository root (topology entries are relative to it). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** ESM bundles still meet CommonJS dependencies that call `require`: give them one. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __hpfCreateRequire } from 'node:module'; const require = __hpfCreateRequire(import.meta.url);";

/**
 * Packages replaced in every bundle (esbuild `--alias`), paths relative to the repository root:
 * code our functions never run that would cost cold-start time (see each replacement's header).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = { semver: './infra/aws/unused-semver.cjs' };

/** The bundle's esbuild target and main fields (NodejsFunction below; the chunks use the same). */
export const BUNDLE_TARGET = 'node22';
export const BUNDLE_MAIN_FIELDS: readonly string[] = ['module', 'main'];
/** Packages left out of every bundle: CDK's default for Node 22 (the SDK v3 comes with the Lambda runtime). */
export const BUNDLE_EXTERNALS: readonly string[] = ['@aws-sdk/*'];

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The esbuild command line of a topology `chunk`: the module built on its own beside index.mjs with
 * the bundle's options (ESM, platform node, the target, minified, a linked source map without the
 * sources, the createRequire banner, the main fields, the aliases, @aws-sdk/* external), by the
 * repository's esbuild (the one CDK's local bundling runs). Run from the repository root (`inputDir`),
 * where the aliases' relative paths resolve.
 */
export function chunkBuildCommand(chunk: { entry: string; out: string }, inputDir: string, outputDir: string): string {
  const args = [
    path.join(inputDir, 'node_modules', '.bin', 'esbuild'),
    '--bundle',
    path.join(inputDir, chunk.entry),
    `--outfile=${path.join(outputDir, chunk.out)}`,
    `--target=${BUNDLE_TARGET}`,
    '--platform=node',
    '--format=esm',
    '--minify',
    '--sourcemap',
    '--sources-content=false',
    ...BUNDLE_EXTERNALS.map((e) => `--external:${e}`),
    `--banner:js=${ESM_REQUIRE_BANNER}`,
    `--main-fields=${BUNDLE_MAIN_FIELDS.join(',')}`,
    ...Object.entries(BUNDLE_ALIASES).map(([pkg, to]) => `--alias:${pkg}=${to}`),
    '--log-level=warning',
  ];
  return `cd ${shellQuote(inputDir)} && ${args.map(shellQuote).join(' ')}`;
}

/**
 * What runs after the bundle (CDK `commandHooks.afterBundling`, shell commands): the topology's
 * `files` copied beside index.mjs by their base name (read at run time from the module's directory,
 * as in the source tree), and its `chunks` built beside it (imported at run time by a computed
 * specifier, so that index.mjs does not contain them).
 */
export function afterBundlingCommands(def: FunctionDef, inputDir: string, outputDir: string): string[] {
  return [
    ...(def.files ?? []).map((f) => `cp ${shellQuote(path.join(inputDir, f))} ${shellQuote(path.join(outputDir, path.basename(f)))}`),
    ...(def.chunks ?? []).map((c) => chunkBuildCommand(c, inputDir, outputDir)),
  ];
}

export interface HpfResources {
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly queues: Readonly<Record<QueueName, sqs.IQueue>>;
  /** The key of sealed secrets (shared/secrets.ts); only the functions of SEALING_GRANTS get it. */
  readonly sealingKey?: kms.IKey;
  /** The object-store buckets; a function gets exactly those its topology `buckets` name. */
  readonly buckets?: Readonly<Partial<Record<BucketName, s3.IBucket>>>;
}

/** What a function may do with the sealing key: seal (kms:Encrypt) and open (kms:Decrypt), each for these `purpose`s of the encryption context. */
export interface SealingGrant {
  readonly seal?: readonly string[];
  readonly open?: readonly string[];
}

/**
 * The functions that use sealed secrets, and nothing else may touch the sealing key. Partner
 * secrets: the HTTP function registers partners (seals) and verifies their signed calls (opens); the
 * outbound worker signs our callbacks and requests (opens). The inbound worker and the sweeper never
 * sign, and other domains' functions may read the interprovincial table but not open its secrets.
 * Bank secrets (settlement) likewise: the HTTP function seals and opens, the payment worker and the
 * reconciler open.
 */
export const SEALING_GRANTS: Readonly<Partial<Record<FunctionName, SealingGrant>>> = {
  'interprovincial-http': { seal: ['partner-secret'], open: ['partner-secret'] },
  'interprovincial-outbound-worker': { open: ['partner-secret'] },
  // bank secrets: the HTTP function registers banks (seals) and verifies their signed notices and
  // results (opens); the payment worker signs our orders (opens); the sweeper only re-sends messages
  'settlement-http': { seal: ['bank-secret'], open: ['bank-secret'] },
  'settlement-payment-worker': { open: ['bank-secret'] },
  // the daily reconciliation signs its statement requests
  'settlement-reconciler': { open: ['bank-secret'] },
};

export interface HpfFunctionProps {
  readonly def: FunctionDef;
  readonly resources: HpfResources;
  /** Our own center code (context `hpf:centerCode`). */
  readonly centerCode: string;
  /** The JWT issuer and audience (context `hpf:jwtIssuer`, `hpf:jwtAudience`). */
  readonly jwt?: { issuer: string; audience: string };
}

export class HpfFunction extends Construct {
  readonly def: FunctionDef;
  private readonly resources: HpfResources;
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HpfFunctionProps) {
    super(scope, id);
    const { def, resources } = props;
    this.def = def;
    this.resources = resources;

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });

    // Own role instead of AWSLambdaBasicExecutionRole: logs may go to this function's group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `HPF ${def.name}`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      HPF_CENTER_CODE: props.centerCode,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: def.name,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    // functions that verify an optional bearer token themselves (jwt-or-partner routes)
    if (props.jwt && routes.some((r) => r.fn === def.name && r.auth === 'jwt-or-partner')) {
      environment.HPF_JWT_ISSUER = props.jwt.issuer;
      environment.HPF_JWT_AUDIENCE = props.jwt.audience;
      environment.HPF_JWT_JWKS_URL = `${props.jwt.issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
    }
    for (const name of Object.keys(def.tables) as TableName[]) {
      environment[tableEnvVar(name)] = resources.tables[name].tableName;
    }
    const queuesUsed = [...new Set<QueueName>([...def.sendsTo, ...(def.inspects ?? [])])];
    for (const q of queuesUsed) environment[queueEnvVar(q)] = resources.queues[q].queueUrl;
    const bucketsUsed = Object.entries(def.buckets ?? {}) as [BucketName, 'read' | 'readwrite'][];
    for (const [name] of bucketsUsed) environment[bucketEnvVar(name)] = this.bucketOf(name).bucketName;
    const sealing = SEALING_GRANTS[def.name];
    if (sealing) {
      if (!resources.sealingKey) throw new Error(`${def.name} uses sealed secrets: the sealing key must be given`);
      environment[SEALING_KEY_ENV] = resources.sealingKey.keyArn;
    }

    this.fn = new nodejs.NodejsFunction(this, 'Fn', {
      description: `HPF ${def.name} (${def.kind})`,
      entry: path.join(repoRoot, def.entry),
      handler: def.handler,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: def.memoryMb,
      timeout: Duration.seconds(def.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      bundling: {
        minify: true,
        sourceMap: true,
        // the map names files and lines for NODE_OPTIONS=--enable-source-maps stack traces; without
        // the sources embedded it is a quarter of the size, and Node parses it at every cold start
        // (~10 ms less init for the larger functions: test/bench/bundle.bench.ts)
        sourcesContent: false,
        format: nodejs.OutputFormat.ESM,
        target: BUNDLE_TARGET,
        mainFields: [...BUNDLE_MAIN_FIELDS],
        externalModules: [...BUNDLE_EXTERNALS],
        banner: ESM_REQUIRE_BANNER,
        esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([pkg, path]) => [`--alias:${pkg}`, path])),
        forceDockerBundling: false,
        // files the function reads at run time and its chunks go beside index.mjs (afterBundlingCommands)
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => afterBundlingCommands(def, inputDir, outputDir),
        },
      },
    });

    // Least privilege: exactly the tables and queues the topology lists (KMS grants come with them),
    // which test/infra/grants.test.ts holds against what the function's code uses (infra/grants.ts).
    for (const [name, access] of Object.entries(def.tables) as [TableName, 'read' | 'readwrite'][]) {
      const table = resources.tables[name];
      if (access === 'readwrite') table.grantReadWriteData(this.role);
      else table.grantReadData(this.role);
    }
    for (const q of def.sendsTo) resources.queues[q].grantSendMessages(this.role);
    // a pre-signed URL lends the signer's rights: only these functions can sign one for a bucket
    for (const [name, access] of bucketsUsed) {
      if (access === 'readwrite') this.bucketOf(name).grantReadWrite(this.role);
      else this.bucketOf(name).grantRead(this.role);
    }
    if (sealing && resources.sealingKey) this.grantSealing(sealing, resources.sealingKey);
    if (def.inspects?.length) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['sqs:GetQueueAttributes'],
          resources: def.inspects.map((q) => resources.queues[q].queueArn),
        }),
      );
    }

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose: the same handlers run on the local runtime (Node 20/22, see toolchain.md); move to a newer runtime deliberately, not implicitly.',
    });
    this.acknowledgeGrantWildcards();
  }

  private bucketOf(name: BucketName): s3.IBucket {
    const bucket = this.resources.buckets?.[name];
    if (!bucket) throw new Error(`${this.def.name} uses the ${name} bucket: it must be given in the resources`);
    return bucket;
  }

  /**
   * Encrypt / Decrypt on the sealing key only, each only under an encryption context whose `purpose`
   * is one the grant names (no GenerateDataKey, no ReEncrypt: shared/secrets.ts never needs them).
   */
  private grantSealing(grant: SealingGrant, key: kms.IKey): void {
    const statement = (action: string, purposes: readonly string[]) =>
      new iam.PolicyStatement({
        actions: [action],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': [...purposes] } },
      });
    if (grant.seal?.length) this.role.addToPrincipalPolicy(statement('kms:Encrypt', grant.seal));
    if (grant.open?.length) this.role.addToPrincipalPolicy(statement('kms:Decrypt', grant.open));
  }

  /**
   * cdk-nag IAM5 findings produced by the grants above, each acknowledged exactly (cdk-nag 3 has no
   * prefix matching): X-Ray's `Resource::*`, the KMS action wildcards of grantReadWriteData and the
   * `<table arn>/index/*` resource of every table with GSIs. Any other wildcard still fails.
   */
  private acknowledgeGrantWildcards(): void {
    const ack = (finding: string, reason: string) =>
      Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });

    ack('Resource::*', 'X-Ray tracing (tracing ACTIVE): xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.');
    if (Object.values(this.def.tables).includes('readwrite')) {
      const reason = 'Generated by grantReadWriteData on a table encrypted with the customer-managed data key: the KMS action wildcards apply to that one key ARN only.';
      ack('Action::kms:ReEncrypt*', reason);
      ack('Action::kms:GenerateDataKey*', reason);
    }
    for (const [name, access] of Object.entries(this.def.buckets ?? {}) as [BucketName, 'read' | 'readwrite'][]) {
      const bucket = this.bucketOf(name);
      const verb = access === 'readwrite' ? 'ReadWrite' : 'Read';
      const reason = `Generated by grant${verb} on the ${name} bucket: the S3 action wildcards (GetObject*, List*${access === 'readwrite' ? ', DeleteObject*, Abort*' : ''}) apply to that one bucket and its objects only.`;
      ack(`Resource::${this.nagReference(Stack.of(bucket), bucket.bucketArn)}/*`, `Generated by grant${verb}: the objects of exactly the ${name} bucket (keys are document ids), nothing else.`);
      for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', ...(access === 'readwrite' ? ['s3:DeleteObject*', 's3:Abort*'] : [])]) ack(`Action::${action}`, reason);
      // the documents key: grantReadWrite adds its KMS action wildcards (on that one key ARN)
      if (access === 'readwrite') {
        ack('Action::kms:ReEncrypt*', `Generated by grantReadWrite on the ${name} bucket encrypted with the documents key: the KMS action wildcards apply to that one key ARN only.`);
        ack('Action::kms:GenerateDataKey*', `Generated by grantReadWrite on the ${name} bucket encrypted with the documents key: the KMS action wildcards apply to that one key ARN only.`);
      }
    }
    for (const name of Object.keys(this.def.tables) as TableName[]) {
      if (!tables.find((t) => t.name === name)?.gsis.length) continue;
      const table = this.resources.tables[name];
      ack(
        `Resource::${this.nagReference(table.stack, table.tableArn)}/index/*`,
        `Generated by grant${this.def.tables[name] === 'readwrite' ? 'ReadWrite' : 'Read'}Data: Query on the GSIs (gsi1/gsi2) of exactly the ${name} table, nothing else.`,
      );
    }
  }

  /** How cdk-nag renders `value` (a token of `producer`) as seen from this function's stack. */
  private nagReference(producer: Stack, value: string): string {
    const consumer = Stack.of(this);
    // Cross-stack: the same export CDK creates itself when it resolves the reference.
    const token = producer === consumer ? value : producer.exportValue(value);
    return flattenCfn(consumer.resolve(token));
  }
}

/** cdk-nag's flattening of CloudFormation intrinsics (utils/flatten-cfn-reference). */
function flattenCfn(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const o = node as Record<string, unknown>;
  if (o && 'Fn::Join' in o) {
    const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfn).join(delimiter);
  }
  if (o && 'Fn::Sub' in o) return flattenCfn(o['Fn::Sub']);
  if (o && 'Fn::GetAtt' in o) {
    const [r, a] = o['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfn(r)}.${flattenCfn(a)}>`;
  }
  if (o && 'Fn::ImportValue' in o) return flattenCfn(o['Fn::ImportValue']);
  if (o && 'Ref' in o) return `<${flattenCfn(o.Ref)}>`;
  return JSON.stringify(node);
}
