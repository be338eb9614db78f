// Fetches AWS's DynamoDB Local (1.25.1) from the npm registry, pinned by hash.
// The jar ships inside amplify-dynamodb-simulator@2.9.30 (see ../shared/docs/toolchain.md); we take
// only its emulator/ folder so the heavy Amplify CLI dependency tree is never installed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, renameSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = join(root, '.local', 'dynamodb');

if (existsSync(join(target, 'DynamoDBLocal.jar'))) process.exit(0);

const work = join(root, '.local', 'download');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const out = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], {
  encoding: 'utf8',
}).trim();
const tarball = join(work, out.split('\n').pop());
const digest = 'sha512-' + createHash('sha512').update(readFileSync(tarball)).digest('base64');
if (digest !== INTEGRITY) {
  console.error(`DynamoDB Local tarball hash mismatch: ${digest}`);
  process.exit(1);
}
execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/emulator']);
rmSync(target, { recursive: true, force: true });
mkdirSync(dirname(target), { recursive: true });
renameSync(join(work, 'package', 'emulator'), target);
rmSync(work, { recursive: true, force: true });
console.log(`DynamoDB Local installed in ${target} (${readdirSync(target).length} entries)`);
