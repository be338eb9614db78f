// The real thing: synthesise HpfServices WITH esbuild bundling (local esbuild, no Docker) and CDK's
// built-in CloudFormation validation, as `npx cdk synth` does. Slow (~20 s), so it runs once here.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/aws/app.ts';
import { repoRoot } from '../../infra/aws/hpf-function.ts';
import { functions } from '../../infra/topology.ts';

// Inside the repo (ignored .local/) so that a bundle could resolve node_modules if ever loaded.
mkdirSync(path.join(repoRoot, '.local'), { recursive: true });
const outdir = mkdtempSync(path.join(repoRoot, '.local', 'cdk-synth-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk synth with bundling', () => {
  it(
    'bundles every function to an ESM index.mjs with source map and the require banner',
    () => {
      const { app, services } = buildApp({ bundling: true, outdir, context: { 'aws:cdk:bundling-stacks': ['HpfServices'] } });
      const assembly = app.synth();
      const template = assembly.getStackArtifact(services.artifactId).template as {
        Resources: Record<string, { Type: string; Properties: any }>;
      };
      const lambdas = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      expect(lambdas).toHaveLength(functions.length);

      for (const def of functions) {
        const fn = lambdas.find((l) => l.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === def.name);
        expect(fn, def.name).toBeDefined();
        const assetHash = String(fn!.Properties.Code.S3Key).replace(/\.zip$/, '');
        const assetDir = path.join(assembly.directory, `asset.${assetHash}`);
        const bundle = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
        expect(existsSync(path.join(assetDir, 'index.mjs.map'))).toBe(true);
        expect(bundle.startsWith("import { createRequire as __hpfCreateRequire } from 'node:module';")).toBe(true);
        // The exported handler exists in the (minified) ESM bundle.
        const exports = [...bundle.matchAll(/export\s*\{([^}]*)\}/g)].map((m) => m[1]).join(',');
        expect(exports.split(',').map((e) => e.trim().split(/\s+as\s+/).pop()), def.name).toContain(def.handler);
      }
    },
    120_000,
  );
});
