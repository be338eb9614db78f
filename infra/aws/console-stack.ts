// Console stack (issue 18): the web console (web/dist, built by the project's esbuild) in a PRIVATE
// S3 bucket behind CloudFront, and the HTTP API on the same origin.
//
// - The bucket: all public access blocked, ACLs off, SSE-S3, TLS 1.2+ only, versioned (old versions
//   expire), access logged. CloudFront reads it through an origin access control (OAC, SigV4): the
//   bucket policy allows s3:GetObject to the service principal cloudfront.amazonaws.com only when
//   AWS:SourceArn is this distribution.
// - Viewers: HTTPS only (the static files redirect http→https; the API refuses http outright, since a
//   redirected POST would already have sent its token in clear). TLS 1.2 (TLSv1.2_2021) when the
//   console has its own domain (context `hpf:consoleDomainName` + `hpf:consoleCertificateArn`, an ACM
//   certificate in us-east-1); the default *.cloudfront.net certificate cannot raise CloudFront's
//   TLSv1 floor, which is acknowledged below.
// - Every response carries the security headers of CONSOLE_CSP / the response headers policy.
// - `/v1/*` → the HTTP API: caching disabled, every viewer header but Host forwarded (managed policy
//   AllViewerExceptHostHeader, which forwards Authorization), all methods. The console and its API
//   share one origin, so the HTTP API keeps CORS OFF (services-stack.ts sets no corsPreflight): a
//   browser page of any other origin cannot read its answers.
// - SPA routes: a CloudFront Function on the default behaviour (viewer request) rewrites extensionless
//   paths to /index.html. No distribution-wide error responses: those would turn the API's 404s and
//   403s into the app's HTML.
// - `config.json` beside the app: where the console signs in (OIDC issuer, client id, audience) and
//   its API base ('' = same origin). Generated here from CDK context.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, CfnOutput, DefaultStackSynthesizer, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { repoRoot } from './hpf-function.ts';
import type { ServicesStack } from './services-stack.ts';

export interface ConsoleStackProps extends StackProps {
  readonly services: ServicesStack;
  /** Directory of the built console (default: web/dist; a placeholder page when it has no index.html). */
  readonly webDist?: string;
}

/** What the deployed console reads from /config.json (the local runtime serves its own). */
/** The shape web/src/main.ts reads (`mode`, `issuer`, `clientId`, `apiBase`), plus the token's audience and scope. */
export interface ConsoleConfig {
  /** Base of the API's URLs: '' = the console's own origin (CloudFront routes /v1/* to the API). */
  readonly apiBase: string;
  /** Sign-in: authorization code + PKCE against `issuer` (the local runtime's console says 'local'). */
  readonly mode: 'oidc';
  readonly issuer: string;
  readonly clientId: string;
  /** The access token's audience the API's JWT authoriser expects (hpf:jwtAudience). */
  readonly audience: string;
  readonly scope: string;
}

/** The API's paths, routed by CloudFront to the HTTP API. */
export const API_PATH_PATTERN = '/v1/*';

/** The Content-Security-Policy of every response, for an OIDC issuer. */
export function consoleCsp(oidcIssuer: string): string {
  const issuerOrigin = new URL(oidcIssuer).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${issuerOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The CloudFront Function (cloudfront-js-2.0, viewer request, default behaviour only): a path whose
 * last segment has no dot is a route of the single-page app and gets /index.html; files (`/app.js`,
 * `/config.json`) pass through. The /v1/* behaviour has no function, so API answers are untouched.
 */
export const SPA_REWRITE_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** The placeholder deployed when web/dist was not built (synth on a fresh clone stays offline and works). */
const PLACEHOLDER_HTML = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>住房公积金 · 控制台</title></head>
<body><main><h1>控制台尚未构建 (console not built)</h1><p>Build web/ into web/dist, then synthesise and deploy again.</p></main></body></html>
`;

function requiredContext(scope: Construct, key: string): string {
  const v = scope.node.tryGetContext(key);
  if (typeof v !== 'string' || v === '') throw new Error(`missing CDK context "${key}" (cdk.json or -c ${key}=...)`);
  return v;
}
const optionalContext = (scope: Construct, key: string): string | undefined => {
  const v = scope.node.tryGetContext(key);
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** web/dist when it holds a build, else a generated placeholder directory (under the ignored .local/). */
export function consoleSourceDir(webDist = path.join(repoRoot, 'web', 'dist')): { dir: string; placeholder: boolean } {
  if (existsSync(path.join(webDist, 'index.html'))) return { dir: webDist, placeholder: false };
  const dir = path.join(repoRoot, '.local', 'console-placeholder');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), PLACEHOLDER_HTML);
  return { dir, placeholder: true };
}

export class ConsoleStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly logs: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  readonly spaRewrite: cloudfront.Function;
  readonly config: ConsoleConfig;
  /** True when web/dist had no build at synth time and the placeholder page is deployed. */
  readonly placeholder: boolean;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, { description: 'HPF Cloud: the console (private S3 bucket behind CloudFront, the API on the same origin)', ...props });
    const issuer = requiredContext(this, 'hpf:jwtIssuer');
    const audience = requiredContext(this, 'hpf:jwtAudience');
    const clientId = requiredContext(this, 'hpf:oidcClientId');
    const domainName = optionalContext(this, 'hpf:consoleDomainName');
    const certificateArn = optionalContext(this, 'hpf:consoleCertificateArn');
    const webAclId = optionalContext(this, 'hpf:consoleWebAclArn');
    if (!!domainName !== !!certificateArn) throw new Error('hpf:consoleDomainName and hpf:consoleCertificateArn go together (an ACM certificate in us-east-1 for that name)');

    // --- buckets -------------------------------------------------------------------------------
    // One log bucket: S3 server access logs (under a bucket policy) and CloudFront standard logs
    // (CloudFront writes them with an ACL, hence ObjectOwnership BUCKET_OWNER_PREFERRED, not ENFORCED).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.logs = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(400) }],
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the log bucket of the console (its bucket\'s server access logs, CloudFront\'s standard logs): logging its own access would log the log deliveries.',
    });

    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED, // public static files: SSE-S3 lets the OAC read them without a KMS key policy
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    // --- edge ----------------------------------------------------------------------------------
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'HPF console: strict CSP, HSTS and the other security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleCsp(issuer), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365 * 2), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        xssProtection: { protection: false, override: true }, // the legacy auditor off: CSP is the protection
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()', override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    this.spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      comment: 'HPF console: extensionless paths (routes of the single-page app) -> /index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE_CODE),
    });

    // the HTTP API's host: https://{apiId}.execute-api.{region}.amazonaws.com -> its third '/' part
    const apiDomain = Fn.select(2, Fn.split('/', props.services.api.apiEndpoint));
    const apiOrigin = new origins.HttpOrigin(apiDomain, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });

    const logsPrefix = 'cloudfront/';
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'HPF Cloud console and API',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // own domain: TLS 1.2+ (SNI); the default certificate ignores both (CloudFront fixes it at TLSv1)
      ...(domainName && certificateArn
        ? {
            domainNames: [domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            sslSupportMethod: cloudfront.SSLMethod.SNI,
          }
        : {}),
      webAclId,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: logsPrefix,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
        functionAssociations: [{ function: this.spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [API_PATH_PATTERN]: {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
          compress: true,
        },
      },
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'No geo restriction: members, unit agents and staff reach the console from wherever they are (members abroad included); access is decided by the OIDC sign-in and each API route\'s role checks.',
    });
    if (!webAclId) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason: 'A WAF web ACL for CloudFront lives in us-east-1 and is managed with the center\'s other edge rules: pass its ARN as context hpf:consoleWebAclArn. Without it, the HTTP API stage throttles and every data route requires a JWT.',
      });
    }
    if (!certificateArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without the console\'s own domain the default *.cloudfront.net certificate is used, whose TLSv1 floor CloudFront fixes. A deployment sets hpf:consoleDomainName and hpf:consoleCertificateArn, which enforce TLSv1.2_2021 (SNI).',
      });
    }

    // --- content -------------------------------------------------------------------------------
    this.config = { apiBase: '', mode: 'oidc', issuer, clientId, audience, scope: 'openid' };
    const source = consoleSourceDir(props.webDist);
    this.placeholder = source.placeholder;
    if (source.placeholder) Annotations.of(this).addWarningV2('hpf:console-placeholder', 'web/dist has no build (npx tsx web/build.ts writes it): the console deployed is a placeholder page');
    new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [s3deploy.Source.asset(source.dir), s3deploy.Source.jsonData('config.json', this.config)],
      // the console is small: browsers revalidate every file (ETag), CloudFront is invalidated on deploy
      cacheControl: [s3deploy.CacheControl.fromString('no-cache')],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    acknowledgeDeploymentHandler(this, this.bucket);

    new CfnOutput(this, 'ConsoleUrl', { value: `https://${domainName ?? this.distribution.distributionDomainName}/` });
  }
}

/**
 * The BucketDeployment's handler is CDK's own singleton custom-resource function (one per stack, the
 * AWS CLI layer inside): its runtime, its managed basic-execution policy and its generated policy's
 * wildcards are CDK's, not ours.
 */
function acknowledgeDeploymentHandler(stack: Stack, bucket: s3.Bucket): void {
  const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error('the BucketDeployment handler was not found (CDK changed its construct id)');
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'CDK\'s BucketDeployment handler: CDK pins its Python runtime with the AWS CLI layer it ships; it runs only at deployment.',
  });
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'CDK\'s BucketDeployment handler uses AWSLambdaBasicExecutionRole (its own CloudWatch Logs only); it runs only at deployment.',
  });
  // its grants: read the asset objects (CDK's asset bucket), write and prune the console bucket's
  // objects, invalidate this distribution (cloudfront:CreateInvalidation, GetInvalidation on '*').
  // Each wildcard acknowledged exactly (cdk-nag 3 has no prefix matching): any other still fails.
  const siteArn = (stack.resolve(bucket.bucketArn) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const assetBucket = `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*`;
  const findings = ['Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', 'Resource::*', `Resource::<${siteArn}.Arn>/*`, `Resource::${assetBucket}`];
  for (const finding of findings) {
    Validations.of(handler).acknowledge({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason: 'CDK\'s BucketDeployment handler: copies the asset objects (CDK asset bucket) into the console bucket, prunes old ones, invalidates the distribution (no resource-level permission).',
    });
  }
}
