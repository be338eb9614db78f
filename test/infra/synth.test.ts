// The real thing: synthesise HpfServices WITH esbuild bundling (local esbuild, no Docker) and CDK's
// built-in CloudFormation validation, as `npx cdk synth` does. Slow (~20 s), so it runs once here.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/aws/app.ts';
import { ESM_REQUIRE_BANNER, repoRoot } from '../../infra/aws/hpf-function.ts';
import { functions, type FunctionName } from '../../infra/topology.ts';
import { CERTIFICATE_PDF_CHUNK } from '../../functions/certificates/public.ts';
import { FONT_FILE } from '../../functions/certificates/usecases/pdf.ts';
import { readPdf } from '../support/pdf.ts';

// Inside the repo (ignored .local/) so that a bundle could resolve node_modules if ever loaded.
mkdirSync(path.join(repoRoot, '.local'), { recursive: true });
const outdir = mkdtempSync(path.join(repoRoot, '.local', 'cdk-synth-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Strings only the PDF renderer's code contains: pdf-lib's default producer, fontkit's error, our renderer's producer. */
const PDF_MARKERS = ['github.com/Hopding/pdf-lib', 'Unknown font format', 'HPF Cloud (pdf-lib)'];
/** The functions that render certificate PDFs: the renderer is a chunk beside their bundles, in no bundle. */
const RENDERERS: readonly FunctionName[] = ['deposits-http', 'loans-http'];
/** Each function's asset directory, filled by the synth test below. */
const assetDirs = new Map<FunctionName, string>();

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
        assetDirs.set(def.name, assetDir);
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
        // the chunks beside index.mjs: exactly those the topology names, built as the bundle is
        const chunks = def.chunks ?? [];
        expect(readdirSync(assetDir).filter((f) => f.endsWith('.mjs')).sort(), def.name).toEqual(['index.mjs', ...chunks.map((c) => c.out)].sort());
        if (RENDERERS.includes(def.name)) {
          expect(chunks, def.name).toEqual([{ entry: 'functions/certificates/usecases/pdf.ts', out: CERTIFICATE_PDF_CHUNK }]);
          expect(bundle, def.name).toContain(CERTIFICATE_PDF_CHUNK); // the loader names it
        } else expect(chunks, def.name).toEqual([]);
        for (const c of chunks) {
          const code = readFileSync(path.join(assetDir, c.out), 'utf8');
          expect(code.startsWith(ESM_REQUIRE_BANNER), `${def.name}: ${c.out}`).toBe(true);
          const chunkMap = JSON.parse(readFileSync(path.join(assetDir, `${c.out}.map`), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
          expect(chunkMap.sources.some((s) => s.endsWith(c.entry)), `${def.name}: ${c.out}`).toBe(true);
          expect(chunkMap.sourcesContent, `${def.name}: ${c.out}`).toBeUndefined();
          expect(code, `${def.name}: ${c.out}`).not.toContain('SEMVER_SPEC_VERSION');
          for (const marker of PDF_MARKERS) expect(code, `${def.name}: ${c.out}`).toContain(marker);
        }
        // pdf-lib, fontkit and the renderer are in no bundle (they would add ~1.4 MB to a cold start)
        for (const marker of PDF_MARKERS) expect(bundle, `${def.name}: ${marker}`).not.toContain(marker);
        if (def.name === 'supervision-http') {
          // the bundled handler finds the OpenAPI document beside index.mjs, as on Lambda
          const mod = await import(pathToFileURL(path.join(assetDir, 'index.mjs')).href);
          const res = await mod.handler({ routeKey: 'GET /v1/openapi.json', rawPath: '/v1/openapi.json', headers: {}, requestContext: { requestId: 'synth-test', http: { method: 'GET', path: '/v1/openapi.json' } } }, {});
          expect(res.statusCode).toBe(200);
          expect(JSON.parse(res.body)).toEqual(JSON.parse(readFileSync(path.join(repoRoot, 'functions/supervision/openapi.json'), 'utf8')));
        }
      }
    },
    300_000, // bundles every function and chunk with esbuild: about 80 s alone on this machine, more under load
  );

  it('the certificate chunk renders a PDF from a directory without node_modules, the font beside it (as on Lambda)', async () => {
    for (const name of RENDERERS) {
      const assetDir = assetDirs.get(name);
      expect(assetDir, `${name}: the synth test above ran`).toBeDefined();
      const dir = mkdtempSync(path.join(tmpdir(), 'hpf-certificate-chunk-'));
      try {
        for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) expect(existsSync(path.join(path.dirname(d), 'node_modules')), `node_modules above ${d}`).toBe(false);
        for (const f of [CERTIFICATE_PDF_CHUNK, `${CERTIFICATE_PDF_CHUNK}.map`, FONT_FILE]) copyFileSync(path.join(assetDir!, f), path.join(dir, f));
        const url = 'https://gjj.example.gov.cn/v1/certificates/7K3M-9QX2-ABCD-EFGH-JKMN';
        const input = {
          kind: 'DEPOSIT',
          certificateNo: 'DC0MJQ3C3K8Z4W7XN2D5R9T1BV',
          verificationCode: '7K3M-9QX2-ABCD-EFGH-JKMN',
          verificationUrl: url,
          issuedAt: '2026-12-02T01:30:00.000Z',
          statement: { holder: { name: '欧阳小明', idNumber: '330102198806151234', accountNo: '513594168231' }, unitName: '杭州示例科技有限公司', status: 'NORMAL', openedOn: '2019-07-01', monthsDeposited: 89, consecutiveMonths: 60, monthlyBase: '12500.00', monthlyAmount: '3000.00', balance: '186452.37', lastPaidPeriod: '2026-11', purpose: '异地购房贷款' },
        };
        // a fresh node, plain ESM, in a directory whose ancestors have no node_modules: only the chunk and the font
        const script = `import { writeFileSync } from 'node:fs';
const { renderCertificatePdf } = await import('./${CERTIFICATE_PDF_CHUNK}');
writeFileSync('out.pdf', await renderCertificatePdf(${JSON.stringify(input)}));`;
        const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
          cwd: dir,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', HPF_CENTER_CODE: '330100', HPF_CENTER_NAME: '杭州住房公积金管理中心', NODE_OPTIONS: '--enable-source-maps' },
          timeout: 30_000,
        });
        expect(child.status, `${name}: ${child.stderr}`).toBe(0);
        const pdf = await readPdf(new Uint8Array(readFileSync(path.join(dir, 'out.pdf'))));
        expect(pdf.pages, name).toBe(1);
        expect(pdf.text, name).toContain('住房公积金缴存证明');
        expect(pdf.text, name).toContain('杭州住房公积金管理中心');
        expect(pdf.text, name).toContain('7K3M-9QX2-ABCD-EFGH-JKMN');
        expect(pdf.qr, name).toBe(url);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 60_000);
});
