/**
 * What an S3 call's failure means, in words that say how to fix it. Built from the error's
 * name, status and code only: an SDK error never holds a secret, but its request might, and
 * nothing of it is kept.
 */
export function s3Problem(error: unknown, bucket: string): string {
  const { name, message, code, $metadata } = (error ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = $metadata?.httpStatusCode;
  switch (name) {
    case 'NoSuchBucket':
      return `the bucket '${bucket}' does not exist (create it, or check the bucket's name and the endpoint)`;
    case 'NoSuchKey':
    case 'NotFound':
      return 'no object at this key';
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'AccessDenied':
    case 'Forbidden':
    case 'ExpiredToken':
    case 'InvalidToken':
      return `access denied (${name}): check the credentials (storage.credentials, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS profile) and their rights on bucket '${bucket}'`;
    case 'CredentialsProviderError':
      return 'no AWS credentials found: pass storage.credentials, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile';
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'ETIMEDOUT')
    return `cannot reach the S3 endpoint (${code}): check storage.endpoint or AWS_ENDPOINT_URL, and that the server is up`;
  if (status === 403) return `access denied (HTTP 403): check the credentials and their rights on bucket '${bucket}'`;
  if (status === 404) return 'not found (HTTP 404)';
  return `${name ?? 'Error'}${status === undefined ? '' : ` (HTTP ${status})`}: ${message ?? String(error)}`;
}

/** Whether an S3 call failed because the object (not the bucket) is not there. */
export function isMissingKey(error: unknown): boolean {
  const { name } = (error ?? {}) as { name?: string };
  return name === 'NoSuchKey' || name === 'NotFound';
}
