import { randomBytes } from 'node:crypto';
import type { ObjectStore } from '../storage/index.js';

/**
 * Commits and rollbacks of file writes. A file appears whole or not at all (ObjectStore.write:
 * a local file is renamed from a temporary name once complete; an S3 object appears when its
 * upload completes), so a reader never sees a partial file. Every name carries the write id,
 * so the main thread can remove what a write left behind by name alone, even when the worker
 * that wrote it died. A write that completed leaves an empty `_SUCCESS` in its directory,
 * written after its last file.
 */

/** A new write id: a UTC timestamp to the millisecond (names sort by time) and a random part. */
export function newWriteId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** The final name of part `part` of task `taskIndex`: unique to the write, sorting in task order. */
export function committedName(writeId: string, taskIndex: number, part: number, extension: string): string {
  return `${writeId}_${String(taskIndex).padStart(6, '0')}_${String(part).padStart(3, '0')}.${extension}`;
}

/**
 * Writes `bytes` to `dir/name` at once. A retried task writes the same names again, so a retry
 * replaces its earlier attempt rather than adding a file.
 */
export async function commitFile(store: ObjectStore, dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const path = store.join(dir, name);
  await store.write(path, bytes);
  return path;
}

/**
 * Removes what a write left in `dir`: its unfinished files (temporary files, open multipart
 * uploads of crashed or aborted attempts), and with `committed` also the files it committed
 * (a failed write is rolled back).
 */
export async function removeWriteFiles(store: ObjectStore, dir: string, writeId: string, options: { committed: boolean }): Promise<void> {
  await store.removeByPrefix(dir, `${writeId}_`, { finished: options.committed });
}

/** The empty file a complete write leaves in its directory, last (Spark's and Hadoop's convention). */
export const SUCCESS_MARKER = '_SUCCESS';

/** Marks `dir` as complete: every file of the write is committed. */
export async function markComplete(store: ObjectStore, dir: string): Promise<void> {
  await store.write(store.join(dir, SUCCESS_MARKER), new Uint8Array(0));
}

/**
 * Removes the marker of an earlier write, since a write is about to add files to `dir`: while it
 * runs, or after the process was killed mid-write, the directory is not known to be complete.
 * Resolves to whether there was a marker (a rollback puts it back).
 */
export async function unmarkComplete(store: ObjectStore, dir: string): Promise<boolean> {
  return store.remove(store.join(dir, SUCCESS_MARKER));
}
