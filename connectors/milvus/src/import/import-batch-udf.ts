import type { Table } from 'apache-arrow';
import { importColumns } from './import-columns.js';
import type { ImportSchema } from './import-fields.js';

/**
 * The task-pool function that turns a batch of rows into an import file's columns
 * (`boundUdf(import.meta.url, importBatchEncoder, [schema])`): workers call it once per schema.
 */
export function importBatchEncoder(schema: ImportSchema): (batch: Table) => Table {
  return (batch) => importColumns(batch, schema);
}
