import { Table, tableFromIPC, tableToIPC, type Schema } from 'apache-arrow';

/**
 * A schema as Arrow IPC bytes (of an empty table) and back: plan data is structured-cloned
 * to workers, and a cloned Schema would lose its class.
 */
export function schemaToIpc(schema: Schema): Uint8Array {
  return tableToIPC(new Table(schema), 'stream');
}

export function schemaFromIpc(bytes: Uint8Array): Schema {
  return tableFromIPC(bytes).schema;
}
