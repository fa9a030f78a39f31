import { relative, resolve, sep } from 'node:path';
import { boundUdf, isUdfRef, moduleRef, type UdfRef } from '../api/udf.js';
import type { Row } from '../blocks/block.js';
import { checkKnownOptions, InvalidOptionError } from '../errors.js';
import type { FnRef } from '../tasks/transform.js';
import { loadModuleFn } from '../tasks/udf-registry.js';
import { chunkId, sha256Hex } from './chunk-id.js';
import { splitSettings, splitText, type SplitTextOptions } from './split-text.js';

/** Counts the tokens of a text, for chunk sizes in tokens. */
export type TokenCounter = (text: string) => number;

export interface ChunkTextOptions<C extends string = 'text'> extends Omit<SplitTextOptions, 'length'> {
  /** The column holding the text; it is left out of the chunk rows. Default 'text'. */
  readonly textColumn?: C;
  /**
   * Measures `size` and `overlap` in tokens: a token counter that can run on workers, such
   * as `tokenCounter(tokenizerJsonPath)` from @sluice/onnx, or your own
   * `udf(import.meta.url, countTokens)`. Default: characters.
   */
  readonly tokenizer?: UdfRef<TokenCounter>;
  /**
   * The directory the rows' paths are read from, usually the one given to the read: ids then
   * hash each row's `path` relative to it (with '/' between names), so the same files read
   * from another place (the folder moved, copied or mounted elsewhere) keep their ids. The
   * `path` column itself is kept as it is. Default: none, and ids hash the path as the row
   * holds it (the readers give absolute paths), so moving the folder changes every id.
   */
  readonly pathRoot?: string;
}

/** chunkText's option names; the record's type keeps them in step with ChunkTextOptions. */
const CHUNK_OPTIONS: Record<keyof ChunkTextOptions, true> = {
  size: true,
  overlap: true,
  separators: true,
  textColumn: true,
  tokenizer: true,
  pathRoot: true,
};

/** The columns chunkText adds to each chunk row. */
export interface TextChunk {
  /** The chunk, trimmed of white space at both ends. */
  readonly text: string;
  /** The chunk's place among the chunks of its input row, from 0. */
  readonly chunkIndex: number;
  /** Where the chunk stands in the input text: `input.slice(start, end) === text`. */
  readonly start: number;
  readonly end: number;
  /** chunkId of the row's path (relative to `pathRoot` when given), page and chunkIndex: stable across runs, for upserts. */
  readonly id: string;
}

/** A chunk row: the input row's columns but the text column, and the chunk's. */
export type ChunkRow<T extends object = object, C extends string = 'text'> = Omit<T, C | keyof TextChunk> & TextChunk;

/** chunkText's options as they travel to the workers: plain data, the tokenizer as a plan's reference. */
interface ChunkerArgs {
  readonly size: number;
  readonly overlap: number;
  readonly separators: readonly string[];
  readonly textColumn: string;
  readonly tokenizer: Extract<FnRef, { kind: 'module' }> | null;
  /** pathRoot, made absolute on the main thread; null: ids hash the path as it is. */
  readonly pathRoot: string | null;
}

/**
 * Cuts each row's text into chunks, for `flatMap`, on the task pool: a row per chunk (see
 * splitText for how it cuts), keeping the row's other columns (`path`, `page`, ...) and
 * adding `text`, `chunkIndex`, `start`, `end` and `id` (chunkId of path, page and chunk
 * index). With `pathRoot`, the id hashes the path relative to it, so ids survive moving the
 * folder; without it, the path as it is. A row without a `path` is named by a digest of its
 * text instead, so rows of different texts get different ids. A row whose text is null has
 * no chunks.
 *
 * The output type keeps the input's columns when given the input row type:
 * `chunkText<PdfPageRow>({ size: 800 })`.
 *
 * ```ts
 * const chunks = readPdfs(dir).flatMap(chunkText({ size: 800, overlap: 100, pathRoot: dir }));
 * ```
 */
export function chunkText<T extends object = object, C extends string = 'text'>(
  options: ChunkTextOptions<C>,
): UdfRef<(row: T) => ChunkRow<T, C>[]> {
  // Names first: a misspelled option is named, not reported as a required one missing.
  checkKnownOptions('chunkText', options, Object.keys(CHUNK_OPTIONS));
  const { size, overlap, separators } = splitSettings(options);
  const textColumn = options.textColumn ?? 'text';
  if (typeof textColumn !== 'string' || textColumn === '')
    throw new InvalidOptionError('textColumn', textColumn, 'the name of the column holding the text');
  const { tokenizer } = options;
  if (tokenizer !== undefined && !isUdfRef(tokenizer)) {
    throw new InvalidOptionError(
      'tokenizer',
      tokenizer,
      'a token counter that can run on workers: tokenCounter(path) from @sluice/onnx, or udf(import.meta.url, countTokens)',
    );
  }
  const { pathRoot } = options;
  if (pathRoot !== undefined && (typeof pathRoot !== 'string' || pathRoot === ''))
    throw new InvalidOptionError('pathRoot', pathRoot, 'the directory the paths are read from (ids then hash paths relative to it)');
  const args: ChunkerArgs = {
    size,
    overlap,
    separators: [...separators],
    textColumn,
    tokenizer: tokenizer ? moduleRef(tokenizer) : null,
    pathRoot: pathRoot === undefined ? null : resolve(pathRoot),
  };
  // The factory makes untyped rows; their type is the one documented above.
  return boundUdf(import.meta.url, textChunker, [args]) as UdfRef<(row: T) => ChunkRow<T, C>[]>;
}

/** The factory each worker calls once with chunkText's options: it loads the tokenizer, then chunks rows. */
export async function textChunker(args: ChunkerArgs): Promise<(row: Row) => Row[]> {
  const length = args.tokenizer === null ? undefined : ((await loadModuleFn(args.tokenizer)) as TokenCounter);
  const { textColumn, size, overlap, separators, pathRoot } = args;
  return (row) => {
    const source = row[textColumn];
    if (source === null || source === undefined) return [];
    if (typeof source !== 'string')
      throw new TypeError(`column '${textColumn}' holds ${typeof source}, not text; pass chunkText the textColumn that holds the text`);
    const rest = { ...row };
    delete rest[textColumn];
    const path = typeof row.path === 'string' ? idPath(row.path, pathRoot) : `sha256:${sha256Hex(source)}`;
    // An Int64 column (Parquet, Arrow) reads as bigints.
    const page = typeof row.page === 'number' || typeof row.page === 'bigint' ? Number(row.page) : undefined;
    return splitText(source, { size, overlap, separators, length }).map(({ text, start, end }, chunkIndex) => ({
      ...rest,
      text,
      chunkIndex,
      start,
      end,
      id: chunkId({ path, page, chunkIndex }),
    }));
  };
}

/** The path an id hashes: relative to the root, with '/' between names (the same on every system), or as it is without a root. */
function idPath(path: string, root: string | null): string {
  if (root === null) return path;
  const rel = relative(root, path);
  return sep === '/' ? rel : rel.split(sep).join('/');
}
