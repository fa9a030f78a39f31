import { readOperatorName } from '../../io/read/index.js';
import { logical, type LogicalNode, type NodeOf, type ReadTransform } from '../logical.js';

/** Formats whose readers can leave columns unread: Parquet reads only their column chunks, CSV builds only their columns. */
const PROJECTING_FORMATS: ReadonlySet<ReadTransform['format']> = new Set(['parquet', 'csv']);

/**
 * Moves a `selectColumns` directly above a read into the read, so that
 * `readParquet(p).selectColumns(['a'])` reads column a only. A selection of columns the read
 * was already narrowed away from stays where it is, to fail as it would have.
 */
export function pushDownProjections(node: LogicalNode): LogicalNode {
  switch (node.kind) {
    case 'Source':
      return node;
    case 'Union':
      return logical.union(node.inputs.map(pushDownProjections));
    case 'Map': {
      const input = pushDownProjections(node.input);
      const merged = input.kind === 'Map' ? mergeIntoRead(node, input) : null;
      if (merged) return merged;
      return input === node.input ? node : Object.freeze({ ...node, input });
    }
    case 'Limit':
    case 'AllToAll': {
      const input = pushDownProjections(node.input);
      return input === node.input ? node : Object.freeze({ ...node, input });
    }
  }
}

function mergeIntoRead(select: NodeOf<'Map'>, read: NodeOf<'Map'>): LogicalNode | null {
  const { transform } = select;
  if (transform.op !== 'selectColumns' || read.transform.op !== 'read' || !PROJECTING_FORMATS.has(read.transform.format)) return null;
  const before = read.transform.columns;
  if (before !== undefined && !transform.columns.every((c) => before.includes(c))) return null;
  const columns = Object.freeze([...transform.columns]);
  const narrowed: ReadTransform = {
    ...read.transform,
    columns,
    name: readOperatorName(read.transform.format, columns, read.transform.limit),
  };
  return logical.map(read.input, narrowed, read.compute, read.retry);
}
