import { UdfResolveError } from '../../../errors.js';
import { LoadedOnce } from '../../../tasks/loaded-once.js';
import type { ModuleFormat } from '../read-spec.js';
import type { FileFormatModule } from './file-format-module.js';
import type { StreamingFormatModule } from './streaming-format-module.js';

const loaded = new LoadedOnce<FileFormatModule | StreamingFormatModule>();

/**
 * A connector format's module export, imported on first use (on the main thread to plan, in
 * each worker to read) and kept: a task asks for it every time, and import() of a module
 * already loaded still costs a trip through the module loader. A failed import is not kept.
 */
export function loadFormatModule(format: ModuleFormat): Promise<FileFormatModule | StreamingFormatModule> {
  return loaded.get(`${format.moduleUrl}#${format.exportName}#${format.streaming ? 'stream' : 'read'}`, () => importFormatModule(format));
}

async function importFormatModule(format: ModuleFormat): Promise<FileFormatModule | StreamingFormatModule> {
  const method = format.streaming ? 'stream' : 'read';
  const module = (await import(format.moduleUrl)) as Record<string, unknown>;
  const found = module[format.exportName] as Record<string, unknown> | undefined;
  if (typeof found?.[method] !== 'function') {
    const shape = format.streaming ? '{ plan?, stream } (a StreamingFormatModule)' : '{ plan?, read } (a FileFormatModule)';
    throw new UdfResolveError(
      `${format.moduleUrl} has no export '${format.exportName}' with a ${method}(task, args) function; this format's module exports ${shape}`,
    );
  }
  return found as unknown as FileFormatModule | StreamingFormatModule;
}
