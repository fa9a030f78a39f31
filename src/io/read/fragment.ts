import type { StorageOptions } from '../storage/index.js';
import type { FileFormat } from './read-spec.js';

/**
 * One read task's share of a file, as a connector's format describes it: e.g. `{first: 1, last: 50}`
 * pages. Numbers `first` and `last` read as a range of pages, or of what a `unit` string names
 * ('frames'), where a stuck task's report names its input.
 */
export type FilePart = Readonly<Record<string, string | number | boolean | null>>;

/** What a files source lists and how it splits the files into read tasks. */
export interface FilesSpec {
  readonly kind: 'files';
  readonly format: FileFormat;
  readonly paths: readonly string[];
  readonly fileExtensions: readonly string[] | undefined;
  /**
   * Most bytes of a JSON Lines or text file that one read task reads; for Parquet, most
   * uncompressed bytes of a row group (with a page index) that one read task reads.
   */
  readonly fragmentBytes: number;
  /** How `s3://` paths are reached. */
  readonly storage: StorageOptions | undefined;
}

/**
 * One read task: a whole file (binary, CSV, a JSON array, or a file that could not be
 * planned, whose read task then reports why), a byte range of a line-based file (JSON
 * Lines, text), or one Parquet row group, or a range of its rows (read by their pages).
 */
export type Fragment =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'lines'; readonly path: string; readonly start: number; readonly end: number }
  | {
      readonly kind: 'rowGroup';
      readonly path: string;
      readonly rowGroup: number;
      /** Rows [offset, offset + length) of the row group; the whole row group when absent. */
      readonly rows?: { readonly offset: number; readonly length: number };
    }
  /** A part of a file as a connector's format planned it (page ranges of a PDF). */
  | { readonly kind: 'part'; readonly path: string; readonly part: FilePart };
