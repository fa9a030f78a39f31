import { open, stat } from 'node:fs/promises';
import { blockFromRows, type Block } from '../../blocks/block.js';
import { listFiles } from './file-listing.js';
import { loadFormatModule } from './formats/load-format-module.js';
import type { FilePart, FilesSpec, Fragment } from './fragment.js';
import { readOperator, type ModuleFormat } from './read-spec.js';

/**
 * Fragment blocks of a files source, one fragment per block so that each is one task,
 * planned a file at a time as the source is pulled: the first tasks start before a long
 * listing's last footer is read.
 */
export async function* listFragmentBlocks(spec: FilesSpec): AsyncGenerator<Block> {
  const files = await listFiles(spec.paths, { operator: readOperator(spec.format), fileExtensions: spec.fileExtensions });
  for (const path of files) {
    for (const fragment of await fragmentsOfFile(path, spec)) {
      yield blockFromRows([{ path, fragment: JSON.stringify(fragment) }]);
    }
  }
}

async function fragmentsOfFile(path: string, spec: FilesSpec): Promise<Fragment[]> {
  const whole: Fragment[] = [{ kind: 'file', path }];
  if (typeof spec.format !== 'string') {
    const parts = await planParts(spec.format, path);
    return parts.length ? parts.map((part) => ({ kind: 'part', path, part })) : whole;
  }
  switch (spec.format) {
    case 'parquet': {
      // Footers are read here, on the main thread, to know the row groups; parquet-wasm
      // is loaded only by jobs that read Parquet.
      const { rowGroupCount } = await import('./formats/parquet-reader.js');
      const count = await rowGroupCount(path).catch(() => null);
      // A file without row groups is read whole: its rows are none, but its schema is the dataset's.
      if (count === null || count === 0) return whole;
      return Array.from({ length: count }, (_, rowGroup) => ({ kind: 'rowGroup', path, rowGroup }));
    }
    case 'json':
      return (await startsWithArray(path)) ? whole : lineFragments(path, spec.fragmentBytes);
    case 'text':
      return lineFragments(path, spec.fragmentBytes);
    case 'csv':
    case 'binary':
      return whole;
  }
}

/** A connector format's parts of a file; a file it cannot plan is read whole, and its read task reports why. */
async function planParts(format: ModuleFormat, path: string): Promise<readonly FilePart[]> {
  const module = await loadFormatModule(format);
  return (await module.plan?.(path, format.args).catch(() => null)) ?? [];
}

/** Byte ranges of at most `fragmentBytes`; a file that cannot be read becomes one fragment that reports why. */
async function lineFragments(path: string, fragmentBytes: number): Promise<Fragment[]> {
  const size = await stat(path).then(
    (info) => info.size,
    () => null,
  );
  if (size === null) return [{ kind: 'file', path }];
  const fragments: Fragment[] = [];
  for (let start = 0; start < size; start += fragmentBytes)
    fragments.push({ kind: 'lines', path, start, end: Math.min(size, start + fragmentBytes) });
  return fragments;
}

/** Whether a JSON file holds a top-level array (read whole) rather than JSON Lines (read by byte ranges). */
async function startsWithArray(path: string): Promise<boolean> {
  const file = await open(path, 'r').catch(() => null);
  if (file === null) return true; // read whole, where the read task reports the error
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const text = head
      .toString('utf8', 0, bytesRead)
      .replace(/^\uFEFF/, '')
      .trimStart();
    return text.startsWith('[');
  } finally {
    await file.close();
  }
}
