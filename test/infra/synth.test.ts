// The real thing: synthesise HpfServices WITH esbuild bundling (local esbuild, no Docker) and CDK's
// built-in CloudFormation validation, as `npx cdk synth` does. Slow (~20 s), so it runs once here.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
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
    'bundles every function to an ESM index.mjs with source map and the require banner, and ships its run-time files beside it',
    async () => {
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
        const map = JSON.parse(readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
        expect(map.sources.some((s) => s.endsWith(def.entry)), def.name).toBe(true); // stack traces name our files
        expect(map.sourcesContent, def.name).toBeUndefined(); // small enough to parse at cold start
        expect(bundle.startsWith("import { createRequire as __hpfCreateRequire } from 'node:module';")).toBe(true);
        expect(bundle, def.name).not.toContain('SEMVER_SPEC_VERSION'); // aliased away (BUNDLE_ALIASES)
        // The exported handler exists in the (minified) ESM bundle.
        const exports = [...bundle.matchAll(/export\s*\{([^}]*)\}/g)].map((m) => m[1]).join(',');
        expect(exports.split(',').map((e) => e.trim().split(/\s+as\s+/).pop()), def.name).toContain(def.handler);
        for (const f of def.files ?? []) expect(readFileSync(path.join(assetDir, path.basename(f)), 'utf8'), `${def.name}: ${f}`).toBe(readFileSync(path.join(repoRoot, f), 'utf8'));
        if (def.name === 'supervision-http') {
          // the bundled handler finds the OpenAPI document beside index.mjs, as on Lambda
          const mod = await import(pathToFileURL(path.join(assetDir, 'index.mjs')).href);
          const res = await mod.handler({ routeKey: 'GET /v1/openapi.json', rawPath: '/v1/openapi.json', headers: {}, requestContext: { requestId: 'synth-test', http: { method: 'GET', path: '/v1/openapi.json' } } }, {});
          expect(res.statusCode).toBe(200);
          expect(JSON.parse(res.body)).toEqual(JSON.parse(readFileSync(path.join(repoRoot, 'functions/supervision/openapi.json'), 'utf8')));
        }
      }
    },
    120_000,
  );
});
