// The object store (S3 in the cloud; locally the SQS server's S3 emulation at AWS_ENDPOINT_URL_S3,
// path-style). Pre-signed URLs let a browser or a channel put and get an object directly; the
// function that signs lends its own rights for the URL's lifetime, so only functions granted the
// bucket sign. Domains name the logical bucket (`documents`), never the physical one.
import { S3Client, GetObjectCommand, HeadObjectCommand, PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucketName } from './config.ts';
import { tracer } from './trace.ts';

let client: S3Client | undefined;
/** The client (created on first use: most functions never touch the object store). */
export function s3(): S3Client {
  client ??= tracer.captureAWSv3Client(new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3), maxAttempts: 4 }));
  return client;
}

export interface PresignedPut {
  url: string;
  /** Headers the uploader must send exactly (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: string;
}

/**
 * A pre-signed PUT of one object: `contentType`, `sizeBytes` (Content-Length) and the SHA-256
 * (x-amz-checksum-sha256, base64; S3 refuses a body with another hash) are signed headers, so an
 * upload of another type, size or content is refused by S3. Emulators may not enforce them: the
 * domain checks the stored object's hash itself before trusting it.
 */
export async function presignPut(bucket: string, key: string, o: { contentType: string; sizeBytes: number; sha256Hex: string; expiresInSeconds: number; now: Date }): Promise<PresignedPut> {
  const checksum = Buffer.from(o.sha256Hex, 'hex').toString('base64');
  const command = new PutObjectCommand({ Bucket: bucketName(bucket), Key: key, ContentType: o.contentType, ContentLength: o.sizeBytes, ChecksumSHA256: checksum });
  const url = await getSignedUrl(s3(), command, { expiresIn: o.expiresInSeconds, signingDate: o.now, signableHeaders: new Set(['content-type', 'content-length', 'x-amz-checksum-sha256']), unhoistableHeaders: new Set(['x-amz-checksum-sha256']) });
  return {
    url,
    headers: { 'content-type': o.contentType, 'content-length': String(o.sizeBytes), 'x-amz-checksum-sha256': checksum },
    expiresAt: new Date(o.now.getTime() + o.expiresInSeconds * 1000).toISOString(),
  };
}

/** A pre-signed GET (a short-lived download link). */
export async function presignGet(bucket: string, key: string, o: { expiresInSeconds: number; now: Date; fileName?: string; contentType?: string }): Promise<{ url: string; expiresAt: string }> {
  const disposition = o.fileName ? `attachment; filename*=UTF-8''${encodeURIComponent(o.fileName)}` : undefined;
  const command = new GetObjectCommand({ Bucket: bucketName(bucket), Key: key, ResponseContentDisposition: disposition, ResponseContentType: o.contentType });
  const url = await getSignedUrl(s3(), command, { expiresIn: o.expiresInSeconds, signingDate: o.now });
  return { url, expiresAt: new Date(o.now.getTime() + o.expiresInSeconds * 1000).toISOString() };
}

/** The object's size, or undefined when there is none. */
export async function headObject(bucket: string, key: string): Promise<{ sizeBytes: number; contentType?: string } | undefined> {
  try {
    const out = await s3().send(new HeadObjectCommand({ Bucket: bucketName(bucket), Key: key }));
    return { sizeBytes: Number(out.ContentLength ?? 0), contentType: out.ContentType };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The object's bytes (bounded by `maxBytes`: a larger object is refused, not read), or undefined when there is none. */
export async function getObjectBytes(bucket: string, key: string, maxBytes: number): Promise<Buffer | undefined> {
  try {
    const out = await s3().send(new GetObjectCommand({ Bucket: bucketName(bucket), Key: key }));
    if (Number(out.ContentLength ?? 0) > maxBytes) throw new Error(`object ${key} is larger than ${maxBytes} bytes`);
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function putObjectBytes(bucket: string, key: string, body: Uint8Array, contentType: string): Promise<void> {
  await s3().send(new PutObjectCommand({ Bucket: bucketName(bucket), Key: key, Body: body, ContentType: contentType }));
}

export async function deleteObject(bucket: string, key: string): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: bucketName(bucket), Key: key }));
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
