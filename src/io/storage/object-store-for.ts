import { LocalStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import { LazyS3Store } from './lazy-s3-store.js';
import { isS3Url } from './s3-url.js';
import type { StorageOptions } from './storage-options.js';

const local = new LocalStore();
/** One S3 store (one client, its connections kept alive) per distinct options, per thread. */
const s3Stores = new Map<string, LazyS3Store>();

/** The store that holds `path`: S3 for `s3://` paths (reached with `storage`), else the local filesystem. */
export function objectStoreFor(path: string, storage: StorageOptions | undefined): ObjectStore {
  if (!isS3Url(path)) return local;
  const key = JSON.stringify(storage ?? {});
  let store = s3Stores.get(key);
  if (store === undefined) {
    store = new LazyS3Store(storage ?? {});
    s3Stores.set(key, store);
  }
  return store;
}
