import { RecordBatch, Table } from 'apache-arrow';
import { SchemaError } from '../errors.js';
import { blockFromRows, type Block, type Row } from './block.js';
import { blockFromColumns, columnsOfBlock, type Columns } from './columns.js';
import { rowsOfBlock } from './read-values.js';

/** How a batch is handed to a `mapBatches` UDF. */
export type BatchFormat = 'rows' | 'arrow' | 'columns';

export const BATCH_FORMATS: readonly BatchFormat[] = ['rows', 'arrow', 'columns'];

export function blockToBatch(block: Block, format: BatchFormat): Row[] | Table | Columns {
  switch (format) {
    case 'rows':
      return rowsOfBlock(block);
    case 'arrow':
      return block;
    case 'columns':
      return columnsOfBlock(block);
  }
}

/** Turns what a batch UDF returned (rows, an Arrow table or batch, or columns) into a block. */
export function batchResultToBlock(result: unknown, where: string): Block {
  if (Array.isArray(result)) return blockFromRows(result as Row[]);
  if (result instanceof Table) return result;
  if (result instanceof RecordBatch) return new Table([result]);
  if (result !== null && typeof result === 'object') {
    const columns = result as Columns;
    for (const [name, values] of Object.entries(columns)) {
      if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
        throw new SchemaError(`${where} returned a column '${name}' that is not an array or typed array`);
      }
    }
    return blockFromColumns(columns, where);
  }
  throw new SchemaError(
    `${where} returned ${result === null ? 'null' : typeof result}; a batch UDF returns an array of rows, ` +
      `an Arrow Table or RecordBatch, or an object of columns`,
  );
}
