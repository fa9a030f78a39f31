import { isOneToOne } from '../../tasks/transform.js';
import { readOperatorName } from '../../io/read/index.js';
import { logical, type LogicalNode, type NodeOf, type ReadTransform } from '../logical.js';

/**
 * Moves limits towards the source so that `range(1e9).map(f).limit(5)` reads and maps five
 * rows: a limit passes one-to-one maps (keeping a copy above them only where needed), enters
 * each side of a union, merges with another limit, and shrinks in-memory sources.
 */
export function pushDownLimits(node: LogicalNode): LogicalNode {
  switch (node.kind) {
    case 'Source':
      return node;
    case 'Map':
      return rebuild(node, pushDownLimits(node.input));
    case 'AllToAll':
      return rebuild(node, pushDownLimits(node.input));
    case 'Union':
      return logical.union(node.inputs.map(pushDownLimits));
    case 'Limit':
      return limitOver(pushDownLimits(node.input), node.n);
  }
}

function limitOver(input: LogicalNode, n: number): LogicalNode {
  switch (input.kind) {
    case 'Limit':
      return limitOver(input.input, Math.min(n, input.n));
    case 'Source': {
      const { source } = input;
      if (source.kind === 'range') return logical.source(`Range(${Math.min(n, source.n)})`, { kind: 'range', n: Math.min(n, source.n) });
      if (source.kind === 'items' && source.items.length > n)
        return logical.source(`FromItems(${n})`, { kind: 'items', items: source.items.slice(0, n) });
      return logical.limit(input, n);
    }
    case 'Map':
      if (isOneToOne(input.transform)) return rebuild(input, limitOver(input.input, n));
      if (input.transform.op === 'read') return logical.limit(limitRead(input, input.transform, n), n);
      return logical.limit(input, n);
    case 'Union':
      return logical.limit(logical.union(input.inputs.map((child) => limitOver(child, n))), n);
    case 'AllToAll':
      return logical.limit(input, n);
  }
}

/**
 * A read under a limit of n needs at most n rows from any one fragment: each read task
 * stops there (the limit above still cuts the total, as several tasks run at once).
 */
function limitRead(node: NodeOf<'Map'>, read: ReadTransform, n: number): LogicalNode {
  const limit = Math.min(n, read.limit ?? n);
  if (limit === read.limit) return node;
  return logical.map(node.input, { ...read, limit, name: readOperatorName(read.format, read.columns, limit) }, node.compute, node.retry);
}

function rebuild(node: Extract<LogicalNode, { kind: 'Map' | 'AllToAll' }>, input: LogicalNode): LogicalNode {
  if (input === node.input) return node;
  return Object.freeze({ ...node, input });
}
