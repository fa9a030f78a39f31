import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Commits and rollbacks of file writes. A file is written under a temporary name and renamed
 * to its final name once complete (a rename within a directory is atomic), so a reader never
 * sees a partial file. Every name carries the write id, so the main thread can remove what a
 * write left behind by name alone, even when the worker that wrote it died. A write that
 * completed leaves an empty `_SUCCESS` in its directory, written after its last file.
 */

const TEMP_PREFIX = '.sluice-tmp-';
// Temporary files end in .tmp, not in the format's extension: readers glob `*.parquet` (DuckDB's
// glob includes dotfiles) and must not pick up a file still being written.
const TEMP_SUFFIX = '.tmp';

/** A new write id: a UTC timestamp to the millisecond (names sort by time) and a random part. */
export function newWriteId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** The final name of part `part` of task `taskIndex`: unique to the write, sorting in task order. */
export function committedName(writeId: string, taskIndex: number, part: number, extension: string): string {
  return `${writeId}_${String(taskIndex).padStart(6, '0')}_${String(part).padStart(3, '0')}.${extension}`;
}

/**
 * Writes `bytes` to `dir/name` through a temporary file. A retried task writes the same
 * names again, so a retry replaces its earlier attempt rather than adding a file.
 */
export async function commitFile(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const temp = join(dir, `${TEMP_PREFIX}${name}${TEMP_SUFFIX}`);
  const path = join(dir, name);
  await writeFile(temp, bytes);
  await rename(temp, path);
  return path;
}

/**
 * Removes what a write left in `dir`: its temporary files (of crashed or aborted attempts),
 * and with `committed` also the files it committed (a failed write is rolled back).
 */
export async function removeWriteFiles(dir: string, writeId: string, options: { committed: boolean }): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const ours = names.filter(
    (name) => name.startsWith(`${TEMP_PREFIX}${writeId}_`) || (options.committed && name.startsWith(`${writeId}_`)),
  );
  await Promise.all(ours.map((name) => rm(join(dir, name), { force: true })));
}

/** The empty file a complete write leaves in its directory, last (Spark's and Hadoop's convention). */
export const SUCCESS_MARKER = '_SUCCESS';

/** Marks `dir` as complete: every file of the write is committed. */
export async function markComplete(dir: string): Promise<void> {
  await writeFile(join(dir, SUCCESS_MARKER), new Uint8Array(0));
}

/**
 * Removes the marker of an earlier write, since a write is about to add files to `dir`: while it
 * runs, or after the process was killed mid-write, the directory is not known to be complete.
 * Resolves to whether there was a marker (a rollback puts it back).
 */
export async function unmarkComplete(dir: string): Promise<boolean> {
  try {
    await unlink(join(dir, SUCCESS_MARKER));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
