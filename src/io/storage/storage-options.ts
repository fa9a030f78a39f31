import { InvalidOptionError } from '../../errors.js';
import { registerSecret } from '../../observe/redact.js';

/** Keys for S3, as the AWS SDK takes them. Never printed: errors, logs, events and stats leave them out. */
export interface StorageCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * Where and how `s3://` paths are reached. Every field is optional: what is left out comes
 * from the standard AWS chain (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, ~/.aws/config and credentials, SSO, instance roles). Plain data,
 * since it crosses to the worker threads that read and write.
 */
export interface StorageOptions {
  /** An S3-compatible endpoint (MinIO, Ceph, a test server): `http://127.0.0.1:9000`. Default: AWS's, or AWS_ENDPOINT_URL. */
  readonly endpoint?: string;
  /** Default: AWS_REGION, the profile's region, else us-east-1. */
  readonly region?: string;
  /** `endpoint/bucket/key` URLs rather than `bucket.endpoint/key`. Default: true when an endpoint is set, else false. */
  readonly forcePathStyle?: boolean;
  readonly credentials?: StorageCredentials;
}

const FIELDS = ['endpoint', 'region', 'forcePathStyle', 'credentials'];

/** The `storage` option, checked; an error about it never repeats a credential's value. */
export function checkStorageOptions(value: unknown): StorageOptions | undefined {
  if (value === undefined) return undefined;
  const expected = `{endpoint?, region?, forcePathStyle?, credentials?: {accessKeyId, secretAccessKey, sessionToken?}}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidOptionError('storage', value, expected);
  const given = value as Record<string, unknown>;
  const unknown = Object.keys(given).filter((key) => !FIELDS.includes(key));
  if (unknown.length) throw new InvalidOptionError(`storage.${unknown[0]}`, '(an unknown option)', `one of ${FIELDS.join(', ')}`);
  for (const key of ['endpoint', 'region'] as const) {
    if (given[key] !== undefined && !(typeof given[key] === 'string' && given[key] !== ''))
      throw new InvalidOptionError(`storage.${key}`, given[key], 'a non-empty string');
  }
  if (typeof given.endpoint === 'string' && !/^https?:\/\/[^/]/.test(given.endpoint))
    throw new InvalidOptionError('storage.endpoint', given.endpoint, 'an http:// or https:// URL');
  if (given.forcePathStyle !== undefined && typeof given.forcePathStyle !== 'boolean')
    throw new InvalidOptionError('storage.forcePathStyle', given.forcePathStyle, 'true or false');
  return { ...(given as StorageOptions), ...checkedCredentials(given.credentials) };
}

function checkedCredentials(value: unknown): { credentials?: StorageCredentials } {
  if (value === undefined) return {};
  const c = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const text = (v: unknown) => typeof v === 'string' && v !== '';
  if (!(text(c.accessKeyId) && text(c.secretAccessKey) && (c.sessionToken === undefined || text(c.sessionToken)))) {
    // The value received is not shown: it may hold a secret.
    throw new InvalidOptionError(
      'storage.credentials',
      '(not shown)',
      '{accessKeyId, secretAccessKey, sessionToken?} of non-empty strings',
    );
  }
  const { accessKeyId, secretAccessKey, sessionToken } = c as unknown as StorageCredentials;
  registerSecret(secretAccessKey);
  registerSecret(sessionToken);
  return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } };
}
