import { S3Client } from '@aws-sdk/client-s3';
import type { StorageOptions } from './storage-options.js';

/** The region when neither the options nor the AWS chain name one (as the AWS CLI does for S3). */
const FALLBACK_REGION = 'us-east-1';

/**
 * An S3 client for the options: what they leave out comes from the AWS chain (the SDK's own
 * for credentials; AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for the endpoint). An endpoint of
 * one's own (MinIO, a test server) is usually reached by path-style URLs, so those are the
 * default with one.
 */
export async function makeS3Client(options: StorageOptions): Promise<S3Client> {
  // The SDK warns once per thread that its 2027 releases will need Node 22; sluice supports Node 20,
  // and the warning would be printed by every worker. Set the variable to 'false' to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: options.region ?? (await chainRegion()),
    ...(endpoint === undefined ? {} : { endpoint }),
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    followRegionRedirects: true,
  });
}

/** The region of the AWS chain (AWS_REGION, the profile's), else us-east-1. */
async function chainRegion(): Promise<string> {
  const probe = new S3Client({});
  try {
    return await probe.config.region();
  } catch {
    return FALLBACK_REGION;
  } finally {
    probe.destroy();
  }
}
