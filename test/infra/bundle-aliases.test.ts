// The packages every bundle replaces (BUNDLE_ALIASES, infra/aws/hpf-function.ts) must stay unused:
// this bundles each function's entry WITHOUT the aliases and checks who requires them.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ALIASES, repoRoot } from '../../infra/aws/hpf-function.ts';
import { functions } from '../../infra/topology.ts';

/** Per aliased package: the only modules allowed to require it (code paths our functions never run). */
const ALLOWED_IMPORTERS: Record<string, string[]> = {
  // the AWS SDK v2 patcher (captureAWS / captureAWSClient); our SDK v3 clients use captureAWSv3Client
  semver: ['node_modules/aws-xray-sdk-core/dist/lib/patchers/aws_p.js'],
};

describe('bundle aliases', () => {
  it('every aliased package is required only where our functions never call it', async () => {
    expect(Object.keys(BUNDLE_ALIASES).sort()).toEqual(Object.keys(ALLOWED_IMPORTERS).sort());
    const importers = new Map<string, Set<string>>(Object.keys(BUNDLE_ALIASES).map((p) => [p, new Set<string>()]));
    for (const entry of new Set(functions.map((f) => f.entry))) {
      const result = await build({ absWorkingDir: repoRoot, entryPoints: [entry], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', target: 'node22', mainFields: ['module', 'main'], external: ['@aws-sdk/*'], outfile: 'out.mjs', logLevel: 'silent' });
      for (const [file, input] of Object.entries(result.metafile.inputs)) {
        for (const imported of input.imports) {
          for (const pkg of importers.keys()) if (imported.path.startsWith(`node_modules/${pkg}/`) && !file.startsWith(`node_modules/${pkg}/`)) importers.get(pkg)!.add(file);
        }
      }
    }
    for (const [pkg, files] of importers) expect([...files].sort(), pkg).toEqual(ALLOWED_IMPORTERS[pkg]);
  }, 60_000);
});
