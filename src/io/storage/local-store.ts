import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { closeSync, createReadStream, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { isMainThread } from 'node:worker_threads';
import { glob } from 'tinyglobby';
import type { BlockingFile, ListedFile, ObjectStore, PathInfo } from './object-store.js';
import { RangeBlob } from './range-blob.js';

const TEMP_PREFIX = '.sluice-tmp-';
// Temporary files end in .tmp, not in the format's extension: readers glob `*.parquet` (DuckDB's
// glob includes dotfiles) and must not pick up a file still being written.
const TEMP_SUFFIX = '.tmp';
/** Bytes per chunk of a read stream (fewer, larger chunks for the line readers). */
const CHUNK_BYTES = 1 << 20;

/** The local filesystem as an ObjectStore: a write goes to a hidden temporary name, then is renamed (atomic within a directory). */
export class LocalStore implements ObjectStore {
  async stat(path: string): Promise<PathInfo> {
    try {
      const info = await stat(path);
      return info.isDirectory() ? { kind: 'dir' } : { kind: 'file', size: info.size };
    } catch (error) {
      return { kind: 'none', problem: `no file or directory at this path (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
    }
  }

  async list(dir: string): Promise<ListedFile[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    const files = await regularFiles(entries);
    return files.map((path) => ({ path, relative: relative(dir, path).split(sep).join('/') })).sort(byPath);
  }

  async glob(base: string, pattern: string): Promise<ListedFile[]> {
    const matches = await glob([pattern], { cwd: base, onlyFiles: true, dot: false });
    return matches.map((match) => ({ path: resolve(base, match), relative: match })).sort(byPath);
  }

  async read(path: string): Promise<Uint8Array> {
    // A worker thread reads with one blocking call: its task waits for the bytes anyway, while
    // readFile's four round trips through libuv's four threads, shared with the main thread's
    // listing and every other worker, cost PDF workers 3% of their pages/s on Debian manuals
    // and 28% on a folder of one-page PDFs (bench/RESULTS.md).
    const bytes = isMainThread ? await readFile(path) : readFileSync(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const file = await open(path, 'r');
    try {
      const bytes = new Uint8Array(Math.max(0, end - start));
      let at = 0;
      while (at < bytes.length) {
        const { bytesRead } = await file.read(bytes, at, bytes.length - at, start + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return at === bytes.length ? bytes : bytes.subarray(0, at);
    } finally {
      await file.close();
    }
  }

  async readStream(path: string, start = 0, end?: number): Promise<Readable> {
    if (end !== undefined && end <= start) return Readable.from([]);
    // Opened before it is handed out, so that a missing file fails here rather than mid-stream.
    const file = await open(path, 'r');
    return createReadStream('', { fd: file, start, highWaterMark: CHUNK_BYTES, ...(end === undefined ? {} : { end: end - 1 }) });
  }

  openBlocking(path: string): BlockingFile {
    const fd = openSync(path, 'r');
    return {
      size: fstatSync(fd).size,
      read: (into, position) => readInto(fd, into, position),
      close: () => closeSync(fd),
    };
  }

  /**
   * A Blob whose slices are each read by positioned reads into a buffer of their size, on the
   * calling thread: Node's own file Blob (`openAsBlob`) reads a slice in 64 KiB chunks on the
   * thread pool and joins them, ~2.5x the CPU for the 100 MiB column chunk of a Parquet row
   * group. Blobs are what Parquet read tasks open, on worker threads, where a read that
   * blocks the thread costs nothing that waiting for it would not.
   */
  async blob(path: string): Promise<Blob> {
    const info = await stat(path);
    if (!info.isFile()) throw new Error(`cannot read ${path}: it is not a file`);
    return new RangeBlob((start, end) => Promise.resolve(readRangeSync(path, start, end)), info.size).asBlob();
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    const at = path.lastIndexOf(sep);
    // A name of its own per write: processes of one run (shards) write the same run files at once.
    const temp = join(path.slice(0, at), `${TEMP_PREFIX}${path.slice(at + 1)}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
    await writeFile(temp, bytes);
    await rename(temp, path);
  }

  async remove(path: string): Promise<boolean> {
    try {
      await unlink(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async removeByPrefix(dir: string, prefix: string, options: { finished: boolean }): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const ours = names.filter((name) => name.startsWith(`${TEMP_PREFIX}${prefix}`) || (options.finished && name.startsWith(prefix)));
    await Promise.all(ours.map((name) => rm(join(dir, name), { force: true })));
  }

  async prepareDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
  }

  join(dir: string, name: string): string {
    return join(dir, name);
  }

  normalize(path: string): string {
    return resolve(path);
  }
}

/**
 * Bytes [start, end) of a file, fewer when it ends first, in a buffer of their own. The buffer
 * is not zeroed first (the read fills it; a short read's tail is never handed out): zeroing
 * ~100 MiB that the read then overwrites costs as much as a third of the read.
 */
function readRangeSync(path: string, start: number, end: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const bytes = new Uint8Array(Buffer.allocUnsafeSlow(Math.max(0, end - start)).buffer);
    const at = readInto(fd, bytes, start);
    return at === bytes.length ? bytes : bytes.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

/** Fills `into` from byte `position` of an open file; the number of bytes read (fewer where the file ends). */
function readInto(fd: number, into: Uint8Array, position: number): number {
  let at = 0;
  while (at < into.length) {
    const read = readSync(fd, into, at, into.length - at, position + at);
    if (read === 0) break;
    at += read;
  }
  return at;
}

/** The paths of entries that are files, or links to files (followed as `stat` follows them; a broken link is left out). */
async function regularFiles(entries: readonly Dirent[]): Promise<string[]> {
  const paths = await Promise.all(
    entries.map(async (e) => {
      const path = join(e.parentPath, e.name);
      if (e.isFile()) return path;
      if (!e.isSymbolicLink()) return null;
      return (await stat(path).catch(() => null))?.isFile() ? path : null;
    }),
  );
  return paths.filter((p) => p !== null);
}

function byPath(a: ListedFile, b: ListedFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
