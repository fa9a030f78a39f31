import { Field, Schema, Utf8 } from 'apache-arrow';
import { blockFromRows, type Block } from '../../blocks/block.js';
import { objectStoreFor, type ObjectStore } from '../storage/index.js';
import { listFiles, type FileToRead } from './file-listing.js';
import { loadFormatModule } from './formats/load-format-module.js';
import { readRowGroupFacts } from './formats/parquet-footer.js';
import type { FilePart, FilesSpec, Fragment } from './fragment.js';
import { readOperator, type ModuleFormat } from './read-spec.js';

/**
 * Fragment blocks of a files source, one fragment per block so that each is one task,
 * planned a file at a time as the source is pulled: the first tasks start before a long
 * listing's last footer is read.
 */
export async function* listFragmentBlocks(spec: FilesSpec): AsyncGenerator<Block> {
  const files = await listFiles(spec.paths, {
    operator: readOperator(spec.format),
    fileExtensions: spec.fileExtensions,
    storage: spec.storage,
  });
  for (const file of files) {
    for (const fragment of await fragmentsOfFile(file, spec)) {
      yield blockFromRows([{ path: file.path, fragment: JSON.stringify(fragment) }], FRAGMENT_SCHEMA);
    }
  }
}

/** The columns of a fragment block, given rather than inferred from each block's one row: every fragment's the same. */
const FRAGMENT_SCHEMA = new Schema([new Field('path', new Utf8(), true), new Field('fragment', new Utf8(), true)]);

async function fragmentsOfFile(file: FileToRead, spec: FilesSpec): Promise<Fragment[]> {
  const { path } = file;
  const store = objectStoreFor(path, spec.storage);
  const whole: Fragment[] = [{ kind: 'file', path }];
  if (typeof spec.format !== 'string') {
    const parts = await planParts(spec, spec.format, store, file);
    return parts.length ? parts.map((part) => ({ kind: 'part', path, part })) : whole;
  }
  switch (spec.format) {
    case 'parquet':
      return parquetFragments(store, file, spec.fragmentBytes);
    case 'json':
      return (await startsWithArray(store, path)) ? whole : lineFragments(store, file, spec.fragmentBytes);
    case 'text':
      return lineFragments(store, file, spec.fragmentBytes);
    case 'csv':
    case 'binary':
      return whole;
  }
}

/**
 * Row groups, a task each, from the footer (read here, on the main thread). A row group of
 * more than `fragmentBytes` uncompressed whose pages are indexed is split into ranges of rows,
 * a task each, that read only their own pages: the tasks of a few large row groups then keep
 * every worker busy. A file whose footer cannot be read is one fragment, whose task reports
 * why; so is a file without row groups (its rows are none, but its schema is the dataset's).
 * The default share, 32 MiB, measured best on bench/io: 8-16 MiB ranges cost 5-15% more CPU
 * (each task opens the file and decodes the pages its range starts and ends in), and 48-64
 * MiB ones ~25% more (their buffers are past what malloc reuses, so each is mapped afresh).
 */
async function parquetFragments(store: ObjectStore, file: FileToRead, fragmentBytes: number): Promise<Fragment[]> {
  const { path } = file;
  const size = await sizeOf(store, file);
  const groups = size === null ? null : await readRowGroupFacts(store, path, size).catch(() => null);
  if (groups === null || groups.length === 0) return [{ kind: 'file', path }];
  return groups.flatMap((group, rowGroup): Fragment[] => {
    const parts = group.pageIndexed ? Math.min(group.rows, Math.ceil(group.bytes / fragmentBytes)) : 1;
    if (parts <= 1) return [{ kind: 'rowGroup', path, rowGroup }];
    const per = Math.ceil(group.rows / parts);
    return Array.from({ length: Math.ceil(group.rows / per) }, (_, i) => ({
      kind: 'rowGroup',
      path,
      rowGroup,
      rows: { offset: i * per, length: Math.min(per, group.rows - i * per) },
    }));
  });
}

/** A connector format's parts of a file; a file it cannot plan is read whole, and its read task reports why. */
async function planParts(spec: FilesSpec, format: ModuleFormat, store: ObjectStore, file: FileToRead): Promise<readonly FilePart[]> {
  const size = await sizeOf(store, file);
  if (size === null) return [];
  const module = await loadFormatModule(format);
  return (await module.plan?.(file.path, format.args, { size, storage: spec.storage }).catch(() => null)) ?? [];
}

/** Byte ranges of at most `fragmentBytes`; a file that cannot be read becomes one fragment that reports why. */
async function lineFragments(store: ObjectStore, file: FileToRead, fragmentBytes: number): Promise<Fragment[]> {
  const { path } = file;
  const size = await sizeOf(store, file);
  if (size === null) return [{ kind: 'file', path }];
  const fragments: Fragment[] = [];
  for (let start = 0; start < size; start += fragmentBytes)
    fragments.push({ kind: 'lines', path, start, end: Math.min(size, start + fragmentBytes) });
  return fragments;
}

/** The file's size, from the listing or asked of the store; null when it cannot be known (its read task reports why). */
async function sizeOf(store: ObjectStore, file: FileToRead): Promise<number | null> {
  if (file.size !== undefined) return file.size;
  const info = await store.stat(file.path).catch(() => null);
  return info?.kind === 'file' ? info.size : null;
}

/** Whether a JSON file holds a top-level array (read whole) rather than JSON Lines (read by byte ranges). */
async function startsWithArray(store: ObjectStore, path: string): Promise<boolean> {
  // A file that cannot be read is read whole, where the read task reports the error.
  const head = await store.readRange(path, 0, 4096).catch(() => null);
  if (head === null) return true;
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return text.startsWith('[');
}
