// Where a handler finds its resources: env vars set by CDK in the cloud and by infra/local locally.
// Handlers never import infra/; both sides agree on these names through this file.

export const tableEnvVar = (table: string) => `TABLE_${table.toUpperCase()}`;
export const queueEnvVar = (queue: string) => `QUEUE_${queue.toUpperCase().replace(/-/g, '_')}_URL`;

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`missing environment variable ${name}`);
  return v;
}

export const bucketEnvVar = (bucket: string) => `BUCKET_${bucket.toUpperCase().replace(/-/g, '_')}`;

/** Physical table name of a logical table (`ledger`, `deposits`, …). */
export const tableName = (table: string) => required(tableEnvVar(table));
/** URL of a logical queue (`remittance-posting`, …). */
export const queueUrl = (queue: string) => required(queueEnvVar(queue));

/** Physical name of a logical object-store bucket (`documents`). */
export const bucketName = (bucket: string) => required(bucketEnvVar(bucket));

/** Our own center code (跨省通办 X-HPF-Center when we sign). */
export const centerCode = () => process.env.HPF_CENTER_CODE ?? '330100';
export const version = () => process.env.HPF_VERSION ?? '0.1.0';
