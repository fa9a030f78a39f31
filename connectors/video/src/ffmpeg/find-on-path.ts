import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/**
 * The first executable file named `name` in the directories of PATH (`pathVariable`), as a
 * shell would find it; null when none is. Done here rather than with `which`, which is not
 * on every system (nor on Windows, where `.exe` is added).
 */
export async function findOnPath(name: string, pathVariable = process.env.PATH ?? ''): Promise<string | null> {
  const file = process.platform === 'win32' ? `${name}.exe` : name;
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, file);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Whether `path` is a file this process may execute. */
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
