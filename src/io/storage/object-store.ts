import type { Readable } from 'node:stream';

/** A file found by listing a directory or matching a glob. */
export interface ListedFile {
  readonly path: string;
  /** Its path below the directory listed (or a glob's fixed part), parts joined by '/'. */
  readonly relative: string;
  /** Its size, when the listing tells it (S3's does; a local listing leaves it to `stat`). */
  readonly size?: number;
}

/** What a path names: a file, a directory (on S3, a prefix that holds objects), or nothing (and why). */
export type PathInfo =
  { readonly kind: 'file'; readonly size: number } | { readonly kind: 'dir' } | { readonly kind: 'none'; readonly problem: string };

/** A local file open for reads that block the calling thread, for a parser that pulls bytes through a synchronous callback. */
export interface BlockingFile {
  readonly size: number;
  /** Fills `into` from byte `position` of the file; the number of bytes read (fewer at its end). */
  read(into: Uint8Array, position: number): number;
  close(): void;
}

/**
 * Where files are read from and written to: the local filesystem, or an object store (S3).
 * Readers and writers go through this, never to `node:fs` or the S3 client directly, so a
 * format reads `s3://` paths as it reads local ones. Paths are the store's own: absolute
 * local paths, or `s3://bucket/key`. Methods throw an Error whose message says what failed
 * and where (never a credential); callers wrap it in the typed error of their operator.
 */
export interface ObjectStore {
  /** What `path` names. */
  stat(path: string): Promise<PathInfo>;
  /** Every file below `dir`, recursively, sorted by path. */
  list(dir: string): Promise<ListedFile[]>;
  /** The files below `base` whose path relative to it matches `pattern` (a glob: `*.parquet`, `**\/x-*.json`). */
  glob(base: string, pattern: string): Promise<ListedFile[]>;
  /** The whole file. */
  read(path: string): Promise<Uint8Array>;
  /** Bytes [start, end) of the file (fewer when it ends before `end`). */
  readRange(path: string, start: number, end: number): Promise<Uint8Array>;
  /** The file from byte `start` (to `end`, exclusive, when given) as a stream, fetched as it is read. */
  readStream(path: string, start?: number, end?: number): Promise<Readable>;
  /**
   * The file open for blocking reads, where the store can read so (local files; S3 cannot):
   * a parser calling back for bytes (PDFium counting a PDF's pages) reads only what it needs.
   */
  openBlocking?(path: string): BlockingFile;
  /** A Blob of the file whose slices are read when asked for (Parquet's footer, then its column chunks). */
  blob(path: string): Promise<Blob>;
  /**
   * Writes a whole file at once: readers see all of it or nothing (a local file is written
   * under a hidden temporary name and renamed; an S3 object appears when its upload
   * completes, uploaded in parts when it is large). An existing file is replaced.
   */
  write(path: string, bytes: Uint8Array): Promise<void>;
  /** Removes a file; resolves to whether there was one. */
  remove(path: string): Promise<boolean>;
  /**
   * Removes what writes left in `dir` under names starting with `prefix`: unfinished ones
   * (temporary files, open multipart uploads), and with `finished` also the complete files.
   */
  removeByPrefix(dir: string, prefix: string, options: { finished: boolean }): Promise<void>;
  /** Makes `dir` ready to be written into (a local directory is created; an S3 bucket must exist). */
  prepareDir(dir: string): Promise<void>;
  /** `dir` joined with a file name. */
  join(dir: string, name: string): string;
  /** A path as the store names it: local paths made absolute. */
  normalize(path: string): string;
}
