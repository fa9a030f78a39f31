import { physicalInputs, type PhysicalOp, type PhysicalSource } from '../plan/physical.js';
import { isOneToOne } from '../tasks/transform.js';

/**
 * Rows an operator will read, when the plan tells (sources that hold their data, then
 * one-to-one steps, limits and unions of such): the total of its progress bar. Undefined
 * where only running tells (an async iterable, a filter or flatMap upstream).
 */
export function expectedRowsIn(op: PhysicalOp): number | undefined {
  if (op.kind === 'Source') return sourceRows(op.source);
  return sumKnown(physicalInputs(op).map(expectedRowsOut));
}

function expectedRowsOut(op: PhysicalOp): number | undefined {
  switch (op.kind) {
    case 'Source':
      return sourceRows(op.source);
    case 'Map':
      return op.transforms.every(isOneToOne) ? expectedRowsOut(op.input) : undefined;
    case 'Limit':
      return Math.min(op.n, expectedRowsOut(op.input) ?? op.n);
    case 'Union':
      return sumKnown(op.inputs.map(expectedRowsOut));
    case 'AllToAll':
      return op.spec.kind === 'aggregate' || op.spec.kind === 'unique' ? undefined : expectedRowsOut(op.input);
  }
}

function sourceRows(source: PhysicalSource): number | undefined {
  switch (source.kind) {
    case 'range':
      return source.n;
    case 'items':
      return source.items.length;
    case 'arrow':
      return source.table.numRows;
    case 'blocks':
      return source.blocks.reduce((n, b) => n + b.numRows, 0);
    default:
      return undefined;
  }
}

function sumKnown(values: readonly (number | undefined)[]): number | undefined {
  let total = 0;
  for (const value of values) {
    if (value === undefined) return undefined;
    total += value;
  }
  return total;
}
