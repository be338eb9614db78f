// `npm run token -- --role staff --branch '*'` prints a development JWT (HS256, HPF_JWT_SECRET).
import { parseArgs } from 'node:util';
import { mintToken } from './jwt.ts';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'staff' },
    sub: { type: 'string' },
    branch: { type: 'string' },
    account: { type: 'string' },
    unit: { type: 'string' },
    ttl: { type: 'string', default: String(8 * 3600) },
  },
});
const roles = ['member', 'unit', 'staff', 'auditor', 'admin'];
if (!roles.includes(values.role!)) {
  console.error(`--role must be one of ${roles.join(', ')}`);
  process.exit(2);
}
const token = await mintToken(
  {
    sub: values.sub ?? `${values.role}-${values.account ?? values.unit ?? values.branch ?? 'dev'}`,
    role: values.role!,
    accountNo: values.account,
    unitId: values.unit,
    branch: values.branch ?? (values.role === 'staff' ? '*' : undefined),
  },
  { ttlSeconds: Number(values.ttl) },
);
console.log(token);
