import { objectStoreFor, type ObjectStore } from '../../storage/index.js';
import type { ReadTask } from './format-reader.js';

/** The store that holds a read task's file (local, or S3 reached with the read's `storage` option). */
export function taskStore(task: ReadTask): ObjectStore {
  return objectStoreFor(task.fragment.path, task.read.options.storage);
}
