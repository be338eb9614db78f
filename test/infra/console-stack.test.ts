// The console in CDK (issue 18): a private bucket read by CloudFront through an origin access control,
// HTTPS only, security headers with a strict CSP, the API on the same origin (/v1/* → the HTTP API,
// caching off, every viewer header but Host), the SPA rewrite as a CloudFront Function (no
// distribution-wide error pages that would mask the API's 404s), config.json generated beside the app.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/aws/app.ts';
import { API_PATH_PATTERN, consoleCsp, consoleSourceDir, SPA_REWRITE_CODE } from '../../infra/aws/console-stack.ts';
import { repoRoot } from '../../infra/aws/hpf-function.ts';
import { built, logicalId, servicesTemplate } from './cdk-app.ts';

const stack = built.console;
const template = Template.fromStack(stack);
type Resource = { Type: string; Properties: any };
const resources = () => template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources()).filter(([, r]) => r.Type === type);
const distributionConfig = () => {
  const [d] = ofType('AWS::CloudFront::Distribution');
  return d[1].Properties.DistributionConfig;
};
const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context as Record<string, string>;

/** Managed CloudFront policies (ids documented by AWS, fixed). */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

describe('the console bucket', () => {
  it('is private: all public access blocked, ACLs off, SSE-S3, versioned, access logged', () => {
    const site = resources()[logicalId(stack.bucket)].Properties;
    expect(site.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(site.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(site.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(site.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(site.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logicalId(stack.logs) }, LogFilePrefix: 's3/' });
    expect(site.WebsiteConfiguration).toBeUndefined(); // not an S3 website endpoint: only the OAC reads it
    expect(resources()[logicalId(stack.logs)].Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  });

  it('its policy allows s3:GetObject to cloudfront.amazonaws.com for this distribution only, and denies non-TLS and TLS < 1.2', () => {
    const bucketId = logicalId(stack.bucket);
    const [[, policy]] = ofType('AWS::S3::BucketPolicy').filter(([, r]) => JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: bucketId }));
    const statements = policy.Properties.PolicyDocument.Statement as { Effect: string; Action: unknown; Principal: unknown; Condition?: any; Resource: unknown }[];
    const allow = statements.filter((s) => s.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0].Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allow[0].Action).toBe('s3:GetObject');
    expect(allow[0].Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] });
    expect(allow[0].Condition).toEqual({
      StringEquals: {
        'AWS:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: logicalId(stack.distribution) }]] },
      },
    });
    const denies = statements.filter((s) => s.Effect === 'Deny').map((s) => s.Condition);
    expect(denies).toEqual(expect.arrayContaining([{ Bool: { 'aws:SecureTransport': 'false' } }, { NumericLessThan: { 's3:TlsVersion': 1.2 } }]));
  });
});

describe('the distribution', () => {
  it('reads the bucket through an origin access control (SigV4, always), no origin access identity', () => {
    const oacs = ofType('AWS::CloudFront::OriginAccessControl');
    expect(oacs).toHaveLength(1);
    const [oacId, oac] = oacs[0];
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const s3Origin = (distributionConfig().Origins as any[]).find((o) => o.S3OriginConfig);
    expect(s3Origin.DomainName).toEqual({ 'Fn::GetAtt': [logicalId(stack.bucket), 'RegionalDomainName'] });
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');
  });

  it('the static files: redirect-to-https, GET/HEAD, cached, security headers, the SPA rewrite on viewer requests', () => {
    const d = distributionConfig();
    expect(d.DefaultRootObject).toBe('index.html');
    expect(d.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: CACHING_OPTIMIZED,
      ResponseHeadersPolicyId: { Ref: logicalId(stack.headers) },
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [logicalId(stack.spaRewrite), 'FunctionARN'] } }],
    });
    // no distribution-wide error pages: they would answer the API's 403/404 with index.html
    expect(d.CustomErrorResponses).toBeUndefined();
    expect(d.Logging).toEqual({ Bucket: { 'Fn::GetAtt': [logicalId(stack.logs), 'RegionalDomainName'] }, Prefix: 'cloudfront/' });
  });

  it('/v1/* goes to the HTTP API: https-only, every method, caching disabled, every viewer header but Host (Authorization included), the same headers', () => {
    const behaviours = distributionConfig().CacheBehaviors as any[];
    expect(behaviours).toHaveLength(1);
    const api = behaviours[0];
    expect(api).toMatchObject({
      PathPattern: API_PATH_PATTERN,
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      ResponseHeadersPolicyId: { Ref: logicalId(stack.headers) },
    });
    expect(api.FunctionAssociations).toBeUndefined(); // API paths are never rewritten
    expect([...api.AllowedMethods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    const origin = (distributionConfig().Origins as any[]).find((o) => o.Id === api.TargetOriginId);
    expect(origin.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    // the host of HpfServices' API endpoint (https://{id}.execute-api.{region}.amazonaws.com), imported
    const endpointImport = (stack.resolve(built.services.exportValue(built.services.api.apiEndpoint)) as { 'Fn::ImportValue': string })['Fn::ImportValue'];
    expect(origin.DomainName).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::ImportValue': endpointImport }] }] });
  });

  it('the HTTP API keeps CORS off: the console calls it on its own origin', () => {
    const apis = Object.values(servicesTemplate.findResources('AWS::ApiGatewayV2::Api'));
    expect(apis).toHaveLength(1);
    expect(apis[0].Properties.CorsConfiguration).toBeUndefined();
  });

  it('without the console\'s own domain it uses the default certificate (TLSv1 floor acknowledged as CFR4)', () => {
    const d = distributionConfig();
    expect(d.Aliases).toBeUndefined();
    expect(d.ViewerCertificate).toBeUndefined();
  });
});

describe('the security headers', () => {
  const policy = () => {
    const [[, p]] = ofType('AWS::CloudFront::ResponseHeadersPolicy');
    return p.Properties.ResponseHeadersPolicyConfig;
  };

  it('a strict Content-Security-Policy: self only, the OIDC issuer\'s origin for connect, no framing, no base, no plugins', () => {
    const csp = policy().SecurityHeadersConfig.ContentSecurityPolicy;
    expect(csp.Override).toBe(true);
    const issuerOrigin = new URL(cdkJson['hpf:jwtIssuer']).origin;
    expect(csp.ContentSecurityPolicy).toBe(
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' ${issuerOrigin}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'`,
    );
    expect(csp.ContentSecurityPolicy).toBe(consoleCsp(cdkJson['hpf:jwtIssuer']));
    expect(csp.ContentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('HSTS (two years, subdomains), nosniff, no-referrer, DENY framing', () => {
    const h = policy().SecurityHeadersConfig;
    expect(h.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true });
    expect(h.ContentTypeOptions).toEqual({ Override: true });
    expect(h.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(h.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    const custom = Object.fromEntries((policy().CustomHeadersConfig.Items as { Header: string; Value: string }[]).map((i) => [i.Header, i.Value]));
    expect(custom['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(custom['Permissions-Policy']).toContain('camera=()');
  });
});

describe('the SPA rewrite (CloudFront Function)', () => {
  it('is a cloudfront-js-2.0 function with the rewrite code, published', () => {
    const [[, fn]] = ofType('AWS::CloudFront::Function');
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fn.Properties.FunctionCode).toBe(SPA_REWRITE_CODE);
    expect(fn.Properties.AutoPublish).toBe(true);
  });

  it.each([
    ['/', '/index.html'],
    ['/staff/review', '/index.html'],
    ['/member/loans/LN123/', '/index.html'],
    ['/v1.2/x', '/index.html'],
    ['/app.js', '/app.js'],
    ['/app.css', '/app.css'],
    ['/config.json', '/config.json'],
    ['/assets/font.woff2', '/assets/font.woff2'],
  ])('%s → %s', (uri, expected) => {
    const handler = new Function(`${SPA_REWRITE_CODE}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
    expect(handler({ request: { uri } }).uri).toBe(expected);
  });
});

describe('the deployed content', () => {
  it('web/dist (or the placeholder) and a generated config.json, into the bucket, pruned, invalidating the distribution', () => {
    const [[, deploy]] = ofType('Custom::CDKBucketDeployment');
    const p = deploy.Properties;
    expect(p.DestinationBucketName).toEqual({ Ref: logicalId(stack.bucket) });
    expect(p.Prune).toBe(true);
    expect(p.DistributionId).toEqual({ Ref: logicalId(stack.distribution) });
    expect(p.DistributionPaths).toEqual(['/*']);
    expect(p.SourceObjectKeys).toHaveLength(2);
    // the second source is config.json, staged in the cloud assembly
    const configDir = path.join(built.app.outdir, `asset.${String(p.SourceObjectKeys[1]).replace(/\.zip$/, '')}`);
    const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8'));
    // the shape web/src/main.ts reads: mode, issuer, clientId, apiBase ('' = this origin)
    expect(config).toEqual({ apiBase: '', mode: 'oidc', issuer: cdkJson['hpf:jwtIssuer'], clientId: cdkJson['hpf:oidcClientId'], audience: cdkJson['hpf:jwtAudience'], scope: 'openid' });
    const appDir = path.join(built.app.outdir, `asset.${String(p.SourceObjectKeys[0]).replace(/\.zip$/, '')}`);
    expect(existsSync(path.join(appDir, 'index.html'))).toBe(true);
  });

  it('a fresh clone (no web/dist) deploys a generated placeholder, so synth needs nothing built', () => {
    const missing = path.join(repoRoot, '.local', 'no-such-web-dist');
    rmSync(missing, { recursive: true, force: true });
    const source = consoleSourceDir(missing);
    expect(source.placeholder).toBe(true);
    expect(readFileSync(path.join(source.dir, 'index.html'), 'utf8')).toContain('<html lang="zh-CN">');
  });
});

describe('with the console\'s own domain and a WAF web ACL (context)', () => {
  const context = {
    'hpf:consoleDomainName': 'console.hpf.example.gov.cn',
    'hpf:consoleCertificateArn': 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
    'hpf:consoleWebAclArn': 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/hpf-console/00000000-0000-0000-0000-000000000000',
  };
  const custom = buildApp({ bundling: false, cfnValidation: false, context });

  it('TLSv1.2_2021 with SNI on that name, the web ACL attached, and cdk-nag clean without CFR2/CFR4 acknowledgments', () => {
    const d = Template.fromStack(custom.console).toJSON().Resources[logicalId(custom.console.distribution)].Properties.DistributionConfig;
    expect(d.Aliases).toEqual(['console.hpf.example.gov.cn']);
    expect(d.ViewerCertificate).toEqual({ AcmCertificateArn: context['hpf:consoleCertificateArn'], MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(d.WebACLId).toBe(context['hpf:consoleWebAclArn']);
    const report = new AwsSolutionsChecks(custom.app).validateScope(custom.app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
    const acked = custom.console.distribution.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.keys(m.data as object)).map((id) => id.replace(/^Annotation::/, ''));
    expect(acked).toEqual(['AwsSolutions-CFR1']);
  });
});
