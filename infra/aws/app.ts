// The CDK app: `HpfStateful` (tables, queues, KMS key), `HpfServices` (functions, HTTP API,
// schedules, alarms) and `HpfConsole` (the web console behind CloudFront, the API on its origin), checked by cdk-nag's AwsSolutions pack.
//
// `buildApp()` has no process-level side effects so tests can build the app; `cdk synth` runs this
// file as the main module (cdk.json: "npx tsx infra/aws/app.ts"), which then synthesises.
import { readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { repoRoot } from './hpf-function.ts';
import { ConsoleStack } from './console-stack.ts';
import { ServicesStack } from './services-stack.ts';
import { StatefulStack } from './stateful-stack.ts';

export interface BuildAppOptions {
  /**
   * Bundle the function code with esbuild (default true). `false` sets the context key
   * `aws:cdk:bundling-stacks` to [] so assets are not bundled (fast template-only tests).
   */
  readonly bundling?: boolean;
  /** Extra context (over cdk.json's `context`; the CLI's -c values win over both). */
  readonly context?: Record<string, unknown>;
  /**
   * Run CDK's built-in CloudFormation schema validation at synth (default true). It costs ~5 s per
   * synth; the template-only tests turn it off, the full synth test keeps it on.
   */
  readonly cfnValidation?: boolean;
  /** Cloud assembly directory (default: CDK_OUTDIR from the CLI, else a temp dir). */
  readonly outdir?: string;
}

/** cdk.json's context, so an App built outside the CLI (tests) sees the same values and feature flags. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export function buildApp(opts: BuildAppOptions = {}) {
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...opts.context };
  if (opts.bundling === false) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ context, outdir: opts.outdir, builtinCloudFormationValidation: opts.cfnValidation ?? true });

  const stateful = new StatefulStack(app, 'HpfStateful');
  const services = new ServicesStack(app, 'HpfServices', { stateful });
  const consoleStack = new ConsoleStack(app, 'HpfConsole', { services });

  // cdk-nag 3: packs are CDK validation plugins; findings are acknowledged with
  // Validations.of(construct).acknowledge({ id, reason }) next to the construct.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, services, console: consoleStack };
}

const invokedAs = process.argv[1];
if (invokedAs && import.meta.url === pathToFileURL(realpathSync(invokedAs)).href) {
  buildApp().app.synth();
}
