/**
 * The face of reading, for the floors above: what a read is (ReadSpec, the formats), the
 * function a read task runs (READ_FRAGMENTS, or STREAM_FRAGMENTS for a streaming format), and the listing of a files source into
 * fragment rows (main thread). Listing and reading code loads on first use, so that a job
 * that reads no files never loads it.
 */
import type { Block } from '../../blocks/block.js';
import type { ModuleRef } from '../../tasks/transform.js';
import type { FilesSpec } from './fragment.js';

export type { FilePart, FilesSpec, Fragment } from './fragment.js';
export type { FileFormatModule } from './formats/file-format-module.js';
export type { PlanContext } from './formats/plan-context.js';
export type { StreamingFormatModule } from './formats/streaming-format-module.js';
export type { FormatReader, ReadTask } from './formats/format-reader.js';
export {
  readOperator,
  readOperatorName,
  type BuiltinFormat,
  type FileFormat,
  type FileReadOptions,
  type ModuleFormat,
  type ReadSpec,
} from './read-spec.js';
export { schemaToIpc } from './schema-ipc.js';
export { readTaskLocation } from './fragment-location.js';

/** The function of a read's 'blocks' step: reads the fragments of its input rows, given the ReadSpec as `args`. */
export const READ_FRAGMENTS: ModuleRef = {
  kind: 'module',
  moduleUrl: new URL('./read-fragments.js', import.meta.url).href,
  exportName: 'readFragments',
};

/** The function of a streaming format's read step (main thread): streams the fragments of its input rows, given the ReadSpec as `args`. */
export const STREAM_FRAGMENTS: ModuleRef = {
  kind: 'module',
  moduleUrl: new URL('./stream-fragments.js', import.meta.url).href,
  exportName: 'streamFragments',
};

/** The fragment rows `{path, fragment}` of a files source, one per block, listed and planned as they are pulled. */
export async function* fragmentBlocks(spec: FilesSpec): AsyncGenerator<Block> {
  yield* (await import('./list-fragments.js')).listFragmentBlocks(spec);
}
