import type { ObjectStore } from '../storage/index.js';
import type { WrittenFile } from './datasink.js';

/**
 * The record of a write with a run id (`runId`), kept beside its files: one small JSON object
 * per committed file under `_sluice-runs/<runId>/`, written by the main thread once the task
 * that wrote the file has reported it. A read task's output counts as done only when both its
 * file and its record are there, so a run killed between the two redoes that task (its file is
 * written again under the same name). Readers leave `_`-names out, as they do `_SUCCESS`.
 */
const RUNS_DIR = '_sluice-runs';

/** A committed file and the read task it came from. */
export interface CommittedTask {
  readonly task: number;
  readonly file: WrittenFile;
}

function runDir(store: ObjectStore, dir: string, runId: string): string {
  return store.join(store.join(dir, RUNS_DIR), runId);
}

/**
 * Makes the directory of run `runId`'s records before its first record, and removes a record
 * left half-written by a killed process of the run (a temporary file; its task is redone).
 */
export async function prepareRunRecords(store: ObjectStore, dir: string, runId: string): Promise<void> {
  const records = runDir(store, dir, runId);
  await store.prepareDir(records);
  await store.removeByPrefix(records, '', { finished: false });
}

/** Records that task `task` of run `runId` committed `file`. */
export async function recordCommitted(store: ObjectStore, dir: string, runId: string, entry: CommittedTask): Promise<void> {
  const name = `${String(entry.task).padStart(6, '0')}.json`;
  await store.write(store.join(runDir(store, dir, runId), name), new TextEncoder().encode(JSON.stringify(entry)));
}

/** The tasks run `runId` committed in `dir` whose files are still there, by task. */
export async function committedTasks(store: ObjectStore, dir: string, runId: string): Promise<Map<number, WrittenFile>> {
  const records = runDir(store, dir, runId);
  const done = new Map<number, WrittenFile>();
  if ((await store.stat(records)).kind !== 'dir') return done;
  for (const listed of await store.list(records)) {
    if (!listed.relative.endsWith('.json') || listed.relative.includes('/')) continue;
    const entry = JSON.parse(new TextDecoder().decode(await store.read(listed.path))) as CommittedTask;
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
