import { blockFromRows } from '../../../blocks/block.js';
import type { FormatReader } from './format-reader.js';
import { taskStore } from './task-store.js';

/** A file as one row `{path, bytes}`. */
export const readBinaryFragment: FormatReader = async (task) => {
  const { path } = task.fragment;
  return blockFromRows([{ path, bytes: await taskStore(task).read(path) }]);
};
