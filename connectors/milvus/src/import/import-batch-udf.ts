import type { Table } from 'apache-arrow';
import { boundUdf, type UdfRef } from 'sluice';
import { importColumns } from './import-columns.js';
import type { ImportSchema } from './import-fields.js';

/** Turns a batch of rows into an import file's columns; workers call it once per schema. */
export function importBatchEncoder(schema: ImportSchema): (batch: Table) => Table {
  return (batch) => importColumns(batch, schema);
}

/** The encoder as a task-pool UDF for `mapBatches(..., {batchFormat: 'arrow'})`. */
export function importEncoderUdf(schema: ImportSchema): UdfRef<(batch: Table) => Table> {
  return boundUdf(import.meta.url, importBatchEncoder, [schema]);
}
