import { randomBytes } from 'node:crypto';
import type { ObjectStore } from '../storage/index.js';
import { markComplete, removeWriteFiles } from './atomic-file.js';
import type { WrittenFile } from './datasink.js';

/**
 * The record of a write with a run id (`runId`), kept beside its files: one small JSON object
 * per committed file under `_sluice-runs/<runId>/`, written by the main thread once the task
 * that wrote the file has reported it. A read task's output counts as done only when both its
 * file and its record are there, so a run killed between the two redoes that task (its file is
 * written again under the same name). Readers leave `_`-names out, as they do `_SUCCESS`.
 */
const RUNS_DIR = '_sluice-runs';
/** The run's key, drawn by its first process: cluster jobs of an earlier run of the same id are not this run's. */
const KEY_FILE = '_key';
/** How many partitions the run has, written by each process that planned them all (a shard, a driver). */
const PARTITIONS_FILE = '_partitions';
const RECORD = /^\d+\.json$/;

/** A committed file and the read task (partition) it came from; null for a partition without rows, done without a file. */
export interface CommittedTask {
  readonly task: number;
  readonly file: WrittenFile | null;
}

/** The write id of run `runId`'s files: the same on every run of it, so that a resumed run writes the same names. */
export function runWriteId(runId: string): string {
  return `run-${runId}`;
}

function runDir(store: ObjectStore, dir: string, runId: string): string {
  return store.join(store.join(dir, RUNS_DIR), runId);
}

/**
 * Makes the directory of run `runId`'s records before its first record, with the run's key, and
 * removes a record left half-written by a killed process of the run (a temporary file; its task
 * is redone) unless other processes of the run may be writing theirs (`shared`: shards).
 */
export async function prepareRunRecords(store: ObjectStore, dir: string, runId: string, key: string, shared: boolean): Promise<void> {
  const records = runDir(store, dir, runId);
  await store.prepareDir(records);
  if (!shared) await store.removeByPrefix(records, '', { finished: false });
  const keyFile = store.join(records, KEY_FILE);
  if ((await store.stat(keyFile)).kind !== 'file') await store.write(keyFile, new TextEncoder().encode(key));
}

/** The key of run `runId`: the one its records keep (a resume of it), else a new one. */
export async function runKeyOf(store: ObjectStore, dir: string, runId: string): Promise<string> {
  const keyFile = store.join(runDir(store, dir, runId), KEY_FILE);
  if ((await store.stat(keyFile)).kind === 'file') return new TextDecoder().decode(await store.read(keyFile)).trim();
  return randomBytes(4).toString('hex');
}

/** Records that run `runId` has `partitions` partitions in all. */
export async function recordPartitions(store: ObjectStore, dir: string, runId: string, partitions: number): Promise<void> {
  await store.write(store.join(runDir(store, dir, runId), PARTITIONS_FILE), new TextEncoder().encode(String(partitions)));
}

/** What is left of run `runId`: its partitions not committed (null: no process has planned them all yet). */
export async function missingPartitions(store: ObjectStore, dir: string, runId: string): Promise<number[] | null> {
  const file = store.join(runDir(store, dir, runId), PARTITIONS_FILE);
  if ((await store.stat(file)).kind !== 'file') return null;
  const partitions = Number(new TextDecoder().decode(await store.read(file)));
  const done = await committedTasks(store, dir, runId);
  return Array.from({ length: partitions }, (_, task) => task).filter((task) => !done.has(task));
}

/**
 * Completes run `runId` in `dir` once every partition is committed: removes what killed or
 * stopped processes of the run left half-written (data files, records), then writes
 * `_SUCCESS`. Resolves to the partitions still missing ([] once complete; null: not planned yet).
 */
export async function completeRun(store: ObjectStore, dir: string, runId: string): Promise<number[] | null> {
  const missing = await missingPartitions(store, dir, runId);
  if (missing === null || missing.length > 0) return missing;
  await removeWriteFiles(store, dir, runWriteId(runId), { committed: false });
  await store.removeByPrefix(runDir(store, dir, runId), '', { finished: false });
  await markComplete(store, dir);
  return missing;
}

/** Records that task `task` of run `runId` committed `file`. */
export async function recordCommitted(store: ObjectStore, dir: string, runId: string, entry: CommittedTask): Promise<void> {
  const name = `${String(entry.task).padStart(6, '0')}.json`;
  await store.write(store.join(runDir(store, dir, runId), name), new TextEncoder().encode(JSON.stringify(entry)));
}

/** The tasks run `runId` committed in `dir` whose files are still there, by task. */
export async function committedTasks(store: ObjectStore, dir: string, runId: string): Promise<Map<number, WrittenFile | null>> {
  const records = runDir(store, dir, runId);
  const done = new Map<number, WrittenFile | null>();
  if ((await store.stat(records)).kind !== 'dir') return done;
  for (const listed of await store.list(records)) {
    if (!RECORD.test(listed.relative)) continue;
    const entry = JSON.parse(new TextDecoder().decode(await store.read(listed.path))) as CommittedTask;
    if (entry.file === null) {
      done.set(entry.task, null);
      continue;
    }
    const info = await store.stat(entry.file.path);
    if (info.kind === 'file' && info.size === entry.file.bytes) done.set(entry.task, entry.file);
  }
  return done;
}

/** Whether run `runId` has records in `dir` (it wrote there before). */
export async function runRecorded(store: ObjectStore, dir: string, runId: string): Promise<boolean> {
  return (await store.stat(runDir(store, dir, runId))).kind === 'dir';
}

/** The data files in `dir`: everything but hidden names (`_SUCCESS`, `_sluice-runs/`, temporary `.` files). */
export async function dataFiles(store: ObjectStore, dir: string): Promise<string[]> {
  if ((await store.stat(dir)).kind !== 'dir') return [];
  return (await store.list(dir))
    .filter((listed) => !listed.relative.split('/').some((part) => part.startsWith('_') || part.startsWith('.')))
    .map((listed) => listed.path);
}
