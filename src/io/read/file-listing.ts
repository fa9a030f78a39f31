import { basename } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';
import { causeMessage, fileError, FileReadError } from '../../errors.js';
import { isS3Url, objectStoreFor, type ListedFile, type ObjectStore, type StorageOptions } from '../storage/index.js';

export interface ListingOptions {
  /** Operator named in errors (ReadJson, ...). */
  readonly operator: string;
  /** Keeps only files with these extensions (without the dot) from directories and globs; named files are always kept. */
  readonly fileExtensions: readonly string[] | undefined;
  /** How `s3://` paths are reached. */
  readonly storage: StorageOptions | undefined;
}

/** A file to read, with its size when the listing told it. */
export interface FileToRead {
  readonly path: string;
  readonly size: number | undefined;
}

/**
 * The files named by `paths`: a file, a directory (read recursively), a glob, or an array
 * of them, each expanded in sorted order, in the order given, each file once. On S3 a
 * directory is a key prefix (`s3://bucket/logs/` or `s3://bucket/logs`), and a glob matches
 * keys (`s3://bucket/logs/*.json`), as pyarrow's and Ray Data's S3 filesystems do. Hidden
 * entries (names starting with '.' or '_': `_SUCCESS`, `_temporary/`, a write's
 * `.sluice-tmp-*` files, `.DS_Store`) are left out of directories and of what a glob matches,
 * as Spark, Hadoop and pyarrow datasets do; a glob that names one itself (`out/_meta*`) keeps
 * them, and a file named by its path is always read. A path that names nothing is an error naming it.
 */
export async function listFiles(paths: readonly string[], options: ListingOptions): Promise<FileToRead[]> {
  const seen = new Map<string, FileToRead>();
  for (const path of paths) {
    const store = objectStoreFor(path, options.storage);
    const files = await expand(store, path, options).catch((error: unknown) => {
      if (error instanceof FileReadError) throw error;
      throw fileError(options.operator, { path }, `cannot list it (${causeMessage(error)})`, storageFix(path));
    });
    for (const file of files) if (!seen.has(file.path)) seen.set(file.path, file);
  }
  return [...seen.values()];
}

async function expand(store: ObjectStore, path: string, options: ListingOptions): Promise<FileToRead[]> {
  if (isDynamicPattern(path)) {
    const { base, wild } = splitGlob(store, path, options);
    const matches = await store.glob(base, wild.join('/'));
    // Hidden names are left out below the glob's fixed part, unless its wildcard part names one itself (`out/_meta*`).
    const shown = wild.some(isHiddenName) ? matches : withoutHidden(matches);
    const kept = keepExtensions(shown, options);
    if (kept.length === 0) {
      const hidden = shown.length < matches.length ? " (names starting with '.' or '_' are left out)" : '';
      throw notFound(options, path, `the glob matched no files${hidden}`);
    }
    return kept.map(toRead);
  }
  const full = store.normalize(path);
  const info = await store.stat(full);
  if (info.kind === 'none') throw notFound(options, full, info.problem);
  if (info.kind === 'file') return [{ path: full, size: info.size }];
  const kept = keepExtensions(withoutHidden(await store.list(full)), options);
  if (kept.length === 0) throw notFound(options, full, 'the directory holds no files to read');
  return kept.map(toRead);
}

function toRead(file: ListedFile): FileToRead {
  return { path: file.path, size: file.size };
}

/** The files none of whose path parts below the root listed (a directory, a glob's fixed part) starts with '.' or '_'. */
function withoutHidden(files: readonly ListedFile[]): ListedFile[] {
  return files.filter((file) => !file.relative.split('/').some(isHiddenName));
}

function isHiddenName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/** A glob's fixed parts (the directory it starts from) and its parts from the first one with a wildcard. */
function splitGlob(store: ObjectStore, pattern: string, options: ListingOptions): { base: string; wild: string[] } {
  const s3 = isS3Url(pattern);
  // 's3://bucket/...' splits into 's3:', '', 'bucket', ...: the bucket must be fixed.
  const parts = pattern.split('/');
  const first = parts.findIndex((part) => isDynamicPattern(part));
  if (s3 && first <= 2) throw notFound(options, pattern, 'the bucket name holds a wildcard', 'name one bucket: s3://bucket/dir/*.parquet');
  const fixed = parts.slice(0, first).join('/');
  return { base: store.normalize(fixed === '' && pattern.startsWith('/') ? '/' : fixed), wild: parts.slice(first) };
}

function keepExtensions(files: ListedFile[], options: ListingOptions): ListedFile[] {
  const wanted = options.fileExtensions;
  if (wanted === undefined) return files;
  return files.filter((file) => wanted.some((ext) => basename(file.path).toLowerCase().endsWith(`.${ext.toLowerCase()}`)));
}

function notFound(options: ListingOptions, path: string, problem: string, fix = defaultFix(path)) {
  const extensions = options.fileExtensions ? ` with extensions ${options.fileExtensions.join(', ')}` : '';
  return fileError(options.operator, { path }, problem + extensions, fix);
}

function defaultFix(path: string): string {
  return isS3Url(path)
    ? 'give an object, a prefix, a glob over keys (s3://bucket/dir/*.json) or an array of them'
    : `give a file, a directory, a glob or an array of them (relative paths resolve from ${process.cwd()})`;
}

function storageFix(path: string): string {
  return isS3Url(path)
    ? 'check the path, the storage option (endpoint, region, credentials) or the AWS environment'
    : 'check the path and its permissions';
}
