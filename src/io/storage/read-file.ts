import { objectStoreFor } from './object-store-for.js';
import type { StorageOptions } from './storage-options.js';

/**
 * The whole file at `path`, local or `s3://` (reached with `storage`, the read's option, which
 * a format finds in `task.read.options.storage` and its plan's context). Connector formats read
 * their files through this, so that they read from S3 as the core's formats do.
 */
export function readFileBytes(path: string, storage?: StorageOptions): Promise<Uint8Array> {
  return objectStoreFor(path, storage).read(path);
}
