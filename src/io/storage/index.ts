/**
 * The face of object storage, for the readers and writers and the floors above: the store of
 * a path (local or S3), the contract every store keeps, and the `storage` option.
 */
export type { BlockingFile, ListedFile, ObjectStore, PathInfo } from './object-store.js';
export { objectStoreFor } from './object-store-for.js';
export { readFileBytes } from './read-file.js';
export { isS3Url, parseS3Url } from './s3-url.js';
export { checkStorageOptions, type StorageCredentials, type StorageOptions } from './storage-options.js';
