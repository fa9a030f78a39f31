import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { fileError } from '../../errors.js';

export interface ListingOptions {
  /** Operator named in errors (ReadJson, ...). */
  readonly operator: string;
  /** Keeps only files with these extensions (without the dot) from directories and globs; named files are always kept. */
  readonly fileExtensions: readonly string[] | undefined;
}

/**
 * The files named by `paths`: a file, a directory (read recursively), a glob, or an array
 * of them, each expanded in sorted order, in the order given, each file once. Hidden
 * entries of a directory (names starting with '.' or '_', like `_SUCCESS` or `.DS_Store`)
 * are left out, as Spark and Ray do. A path that names nothing is an error naming it.
 */
export async function listFiles(paths: readonly string[], options: ListingOptions): Promise<string[]> {
  const seen = new Set<string>();
  for (const path of paths) {
    for (const file of await expand(path, options)) seen.add(file);
  }
  return [...seen];
}

async function expand(path: string, options: ListingOptions): Promise<string[]> {
  if (isDynamicPattern(path)) {
    const matches = (await glob([path], { absolute: true, onlyFiles: true, dot: false })).map((p) => resolve(p));
    const kept = keepExtensions(matches, options).sort();
    if (kept.length === 0) throw notFound(options, path, 'the glob matched no files');
    return kept;
  }
  const absolute = resolve(path);
  const info = await stat(absolute).catch((error: unknown) => {
    throw notFound(options, absolute, `no file or directory at this path (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  });
  if (!info.isDirectory()) return [absolute];
  const entries = await readdir(absolute, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && !isHidden(absolute, e)).map((e) => join(e.parentPath, e.name));
  const kept = keepExtensions(files, options).sort();
  if (kept.length === 0) throw notFound(options, absolute, 'the directory holds no files to read');
  return kept;
}

/** Whether any part of the entry's path below the listed directory starts with '.' or '_'. */
function isHidden(root: string, entry: Dirent): boolean {
  return relative(root, join(entry.parentPath, entry.name))
    .split(sep)
    .some((part) => part.startsWith('.') || part.startsWith('_'));
}

function keepExtensions(files: string[], options: ListingOptions): string[] {
  const wanted = options.fileExtensions;
  if (wanted === undefined) return files;
  return files.filter((file) => wanted.some((ext) => basename(file).toLowerCase().endsWith(`.${ext.toLowerCase()}`)));
}

function notFound(options: ListingOptions, path: string, problem: string) {
  const extensions = options.fileExtensions ? ` with extensions ${options.fileExtensions.join(', ')}` : '';
  return fileError(
    options.operator,
    { path },
    problem + extensions,
    `give a file, a directory, a glob or an array of them (relative paths resolve from ${process.cwd()})`,
  );
}
