// Bundled in place of `semver` (BUNDLE_ALIASES in hpf-function.ts). aws-xray-sdk-core, which the
// Powertools Tracer loads, requires semver only in its AWS SDK v2 patcher (captureAWS,
// captureAWSClient); nothing here calls it (our SDK v3 clients go through captureAWSv3Client).
// Loading semver builds its regular expressions: ~3 ms of every cold start for nothing.
// test/infra/bundle-aliases.test.ts fails if anything else in a bundle starts requiring semver.
'use strict';
const unused = () => {
  throw new Error('semver is not bundled: see infra/aws/unused-semver.cjs');
};
module.exports = { gte: unused, lt: unused, valid: unused, satisfies: unused, coerce: unused };
