import type { Block } from '../../blocks/block.js';
import { columnValues } from '../../blocks/read-values.js';
import type { InputLocation } from '../../errors.js';
import { fragmentsOfBlock } from './fragment-read.js';
import type { FilePart, Fragment } from './fragment.js';

/** Files a read task's location names; the rest are counted. */
const FILES_NAMED = 3;

/**
 * Where a read task's input is, for the stuck-task report: its files (its input rows are fragment
 * rows `{path, fragment}`, or rows naming files by `path`), and for a task of one fragment the
 * part of the file it reads: `pages 1-50`, `bytes 0-33554431`, a row group and its rows.
 */
export function readTaskLocation(bundle: Block, taskIndex: number): InputLocation {
  const fragments = bundle.getChild('fragment') === null ? [] : fragmentsOfBlock(bundle);
  const pathColumn = bundle.getChild('path');
  const paths = [
    ...new Set(fragments.length > 0 ? fragments.map((f) => f.path) : pathColumn === null ? [] : columnValues(pathColumn).map(String)),
  ];
  const more = paths.length > FILES_NAMED ? ` and ${paths.length - FILES_NAMED} more` : '';
  const path = paths.length === 0 ? {} : { path: paths.slice(0, FILES_NAMED).join(', ') + more };
  return { taskIndex, ...path, ...(fragments.length === 1 ? partOf(fragments[0]) : {}) };
}

function partOf(fragment: Fragment): Pick<InputLocation, 'part' | 'rowGroup'> {
  switch (fragment.kind) {
    case 'file':
      return {};
    case 'lines':
      return { part: `bytes ${fragment.start}-${fragment.end - 1}` };
    case 'rowGroup': {
      const { rows } = fragment;
      return { rowGroup: fragment.rowGroup, ...(rows && { part: `rows ${rows.offset}-${rows.offset + rows.length - 1}` }) };
    }
    case 'part':
      return { part: describePart(fragment.part) };
  }
}

/** A format's part in words: numbers `first` and `last` are a range of pages, or of what `unit` names; anything else as JSON. */
function describePart(part: FilePart): string {
  const { first, last, unit } = part;
  if (typeof first === 'number' && typeof last === 'number') return `${typeof unit === 'string' ? unit : 'pages'} ${first}-${last}`;
  return `part ${JSON.stringify(part)}`;
}
