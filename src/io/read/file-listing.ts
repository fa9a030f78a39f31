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
 * entries (names starting with '.' or '_': `_SUCCESS`, `_temporary/`, a write's
 * `.sluice-tmp-*` files, `.DS_Store`) are left out of directories and of what a glob matches,
 * as Spark, Hadoop and pyarrow datasets do; a glob that names one itself (`out/_meta*`) keeps
 * them, and a file named by its path is always read. A path that names nothing is an error naming it.
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
    // Hidden names are left out below the glob's fixed part, unless its wildcard part names one itself (`out/_meta*`).
    const { base, wild } = splitGlob(path);
    const shown = wild.some(isHiddenName) ? matches : withoutHidden(base, matches);
    const kept = keepExtensions(shown, options).sort();
    if (kept.length === 0) {
      const hidden = shown.length < matches.length ? " (names starting with '.' or '_' are left out)" : '';
      throw notFound(options, path, `the glob matched no files${hidden}`);
    }
    return kept;
  }
  const absolute = resolve(path);
  const info = await stat(absolute).catch((error: unknown) => {
    throw notFound(options, absolute, `no file or directory at this path (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  });
  if (!info.isDirectory()) return [absolute];
  const entries = await readdir(absolute, { recursive: true, withFileTypes: true });
  const files = withoutHidden(absolute, await regularFiles(entries));
  const kept = keepExtensions(files, options).sort();
  if (kept.length === 0) throw notFound(options, absolute, 'the directory holds no files to read');
  return kept;
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

/** The files none of whose path parts below `root` (a listed directory, a glob's fixed part) starts with '.' or '_'. */
function withoutHidden(root: string, files: readonly string[]): string[] {
  return files.filter((file) => !relative(root, file).split(sep).some(isHiddenName));
}

function isHiddenName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/** A glob's fixed parts (the directory it starts from) and its parts from the first one with a wildcard. */
function splitGlob(pattern: string): { base: string; wild: string[] } {
  const parts = pattern.split('/');
  const first = parts.findIndex((part) => isDynamicPattern(part));
  const fixed = parts.slice(0, first).join('/');
  return { base: resolve(fixed === '' && pattern.startsWith('/') ? '/' : fixed), wild: parts.slice(first) };
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
