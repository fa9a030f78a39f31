import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ClusterError } from '../errors.js';

/**
 * A fused chain is plain data whose code references are module URLs (`udf(import.meta.url, …)`,
 * a reader's format module). A URL names a file on the driver's machine; a worker has the same
 * checkout somewhere else. So the chain crosses as paths relative to the code root (the folder
 * holding the lockfile), with a hash of the lockfile and of every module it names: a worker
 * resolves the paths against its own root and refuses a job whose hashes differ from its files'.
 */

const LOCKFILES = ['pnpm-lock.yaml', 'package-lock.json', 'yarn.lock', 'bun.lock', 'bun.lockb'];
const PORTABLE = 'sluice-code:';

/** What a job carries of the code it needs: a hash of the lockfile and one per module (by root-relative path). */
export interface CodeHashes {
  readonly lockfile: string;
  readonly modules: Readonly<Record<string, string>>;
}

/** `SLUICE_CODE_ROOT`, else the nearest folder from `from` up that holds a lockfile, else `from`. */
export function codeRoot(from = process.cwd()): string {
  const given = process.env.SLUICE_CODE_ROOT;
  if (given !== undefined && given !== '') return path.resolve(given);
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (LOCKFILES.some((name) => existsSync(path.join(dir, name)))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}

/** `plan` (a chain, stages: plain data) with every `file:` URL under `root` made root-relative, and the modules it runs. */
export function portableChain<T>(plan: T, root: string): { chain: T; modules: string[] } {
  const modules = new Set<string>();
  const chain = rewriteStrings(plan, (value, key) => {
    if (!value.startsWith('file:')) return value;
    const file = fileURLToPath(value);
    const relative = path.relative(root, file);
    if (relative.startsWith('..') || path.isAbsolute(relative))
      throw new ClusterError(
        `${file} is outside the code root ${root}, so a worker cannot find it in its checkout; run the driver from the ` +
          'checkout the workers run (or set SLUICE_CODE_ROOT to the folder that holds both it and the lockfile)',
      );
    const portable = relative.split(path.sep).join('/');
    if (key === 'moduleUrl') modules.add(portable);
    return PORTABLE + portable;
  }) as T;
  return { chain, modules: [...modules].sort() };
}

/** A portable chain's (or stages') module paths resolved against this machine's code root. */
export function localChain<T>(chain: T, root: string): T {
  return rewriteStrings(chain, (value) =>
    value.startsWith(PORTABLE) ? pathToFileURL(path.join(root, value.slice(PORTABLE.length))).href : value,
  ) as T;
}

/** Hashes by path, size and modification time: a worker hashes each module once, and again after a deploy. */
const hashes = new Map<string, string>();

function fileHash(file: string): string {
  const info = statSync(file, { throwIfNoEntry: false });
  if (info === undefined) return 'missing';
  const key = `${file}\0${info.size}\0${info.mtimeMs}`;
  let hash = hashes.get(key);
  if (hash === undefined) {
    hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
    hashes.set(key, hash);
  }
  return hash;
}

/** The hashes of `root`'s lockfile and of `modules` (root-relative), as this machine has them. */
export function codeHashes(root: string, modules: readonly string[]): CodeHashes {
  const lockfile = LOCKFILES.find((name) => existsSync(path.join(root, name)));
  return {
    lockfile: lockfile === undefined ? 'none' : fileHash(path.join(root, lockfile)),
    modules: Object.fromEntries(modules.map((m) => [m, fileHash(path.join(root, m))])),
  };
}

/** Why this machine's code cannot run a job built with `expected`, or null when it matches. */
export function codeMismatch(root: string, expected: CodeHashes): string | null {
  const own = codeHashes(root, Object.keys(expected.modules));
  if (own.lockfile !== expected.lockfile)
    return `its lockfile in ${root} differs from the driver's (install the same dependencies on every machine)`;
  for (const [module, hash] of Object.entries(expected.modules)) {
    if (own.modules[module] === hash) continue;
    return own.modules[module] === 'missing'
      ? `${path.join(root, module)} does not exist (deploy the driver's checkout, built, to every worker)`
      : `${path.join(root, module)} differs from the driver's (deploy the same build to every worker)`;
  }
  return null;
}

function rewriteStrings(value: unknown, rewrite: (value: string, key: string | null) => string, key: string | null = null): unknown {
  if (typeof value === 'string') return rewrite(value, key);
  if (Array.isArray(value)) return value.map((item) => rewriteStrings(item, rewrite));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteStrings(v, rewrite, k)]));
  return value;
}
