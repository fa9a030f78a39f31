import type { ObjectStore } from 'sluice';
import { ImportResumeError } from './import-errors.js';

/** An import file as uploaded: its key in Milvus's bucket, rows, size and SHA-256. */
export interface ManifestFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

/** Where an import job stands, as the manifest records it. */
export type ManifestJobState = 'submitting' | 'running' | 'completed' | 'failed';

/** One import request: at most 1,024 files, its job id once Milvus gave one. */
export interface ManifestJob {
  readonly files: readonly string[];
  readonly jobId: string | null;
  readonly state: ManifestJobState;
  /** Rows Milvus imported (once completed). */
  readonly rows: number;
  /** Milvus's reason, verbatim, for a failed job. */
  readonly reason?: string;
}

/**
 * What a bulk import has done, kept in the bucket beside its files (`<prefix>/<runId>/
 * _sluice-import.json`) and rewritten after every step, so that a rerun with the same run id
 * after a crash skips the upload once every file is up, never submits a file whose job was
 * recorded, and waits for the jobs still running instead of starting them again.
 */
export interface ImportManifest {
  readonly version: 1;
  readonly runId: string;
  readonly collection: string;
  readonly partition: string | null;
  /** The uploaded files, once all of them are (null while the upload has not completed). */
  readonly files: readonly ManifestFile[] | null;
  readonly jobs: readonly ManifestJob[];
}

export const MANIFEST_NAME = '_sluice-import.json';

/** The manifest of `runId` under `dir`, or a new one. */
export async function loadManifest(
  store: ObjectStore,
  dir: string,
  fresh: Omit<ImportManifest, 'version' | 'files' | 'jobs'>,
): Promise<ImportManifest> {
  const path = store.join(dir, MANIFEST_NAME);
  if ((await store.stat(path)).kind !== 'file') return { version: 1, ...fresh, files: null, jobs: [] };
  const manifest = JSON.parse(new TextDecoder().decode(await store.read(path))) as ImportManifest;
  if (manifest.collection !== fresh.collection || manifest.partition !== fresh.partition)
    throw new ImportResumeError(
      `run ${fresh.runId} at ${path} imported into collection '${manifest.collection}'` +
        `${manifest.partition ? ` (partition '${manifest.partition}')` : ''}, not '${fresh.collection}'` +
        `${fresh.partition ? ` (partition '${fresh.partition}')` : ''}; give this import another runId`,
    );
  return manifest;
}

export async function saveManifest(store: ObjectStore, dir: string, manifest: ImportManifest): Promise<void> {
  await store.write(store.join(dir, MANIFEST_NAME), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
}

/** Files in requests of at most `perJob`, in order (Milvus takes at most 1,024 files a request). */
export function jobGroups(files: readonly ManifestFile[], perJob: number): string[][] {
  const groups: string[][] = [];
  for (let i = 0; i < files.length; i += perJob) groups.push(files.slice(i, i + perJob).map((f) => f.path));
  return groups;
}
