import { Field, Utf8 } from 'apache-arrow';
import { blockFromData } from '../../../blocks/block.js';
import { buildColumn } from '../../../blocks/build-column.js';
import { FragmentLines } from './fragment-lines.js';
import type { FormatReader } from './format-reader.js';
import { taskStore } from './task-store.js';

/** A row `{text}` per line of the fragment (empty lines dropped unless asked for, as Ray's read_text). */
export const readTextFragment: FormatReader = async (task) => {
  const { fragment, read } = task;
  const texts: string[] = [];
  const limit = read.limit ?? Infinity;
  for await (const text of new FragmentLines(fragment, taskStore(task))) {
    if (texts.length >= limit) break;
    if (read.options.dropEmptyLines && text.trim() === '') continue;
    texts.push(text);
  }
  const type = new Utf8();
  return blockFromData([new Field('text', type, false)], [buildColumn(texts, type)], texts.length);
};
