import { UdfResolveError } from '../../../errors.js';
import type { ModuleFormat } from '../read-spec.js';
import type { FileFormatModule } from './file-format-module.js';

/** A connector format's module export, imported on first use (on the main thread to plan, in each worker to read). */
export async function loadFormatModule(format: ModuleFormat): Promise<FileFormatModule> {
  const module = (await import(format.moduleUrl)) as Record<string, unknown>;
  const found = module[format.exportName] as Partial<FileFormatModule> | undefined;
  if (typeof found?.read !== 'function') {
    throw new UdfResolveError(
      `${format.moduleUrl} has no export '${format.exportName}' with a read(task, args) function; a file format module exports { plan?, read }`,
    );
  }
  return found as FileFormatModule;
}
