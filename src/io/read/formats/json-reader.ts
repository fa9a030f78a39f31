import { Type, type DataType, type Schema } from 'apache-arrow';
import { blockFromRows, type Row } from '../../../blocks/block.js';
import { valueKind } from '../../../blocks/infer-type.js';
import { causeMessage, fileError, SchemaError } from '../../../errors.js';
import { SKIP_FILES_HINT } from '../read-errors.js';
import { schemaFromIpc } from '../schema-ipc.js';
import { FragmentLines } from './fragment-lines.js';
import type { FormatReader, ReadTask } from './format-reader.js';
import { taskStore } from './task-store.js';

/**
 * JSON Lines (a byte range: one object per line, blank lines ignored) or a file holding a
 * top-level array of objects (the whole file). Types come from sluice's own inference, or
 * from the schema given, which also drops the fields it does not name.
 */
export const readJsonFragment: FormatReader = async (task) => {
  const schema = task.read.options.schemaIpc ? schemaFromIpc(task.read.options.schemaIpc) : undefined;
  const rows = task.fragment.kind === 'lines' ? await readLines(task, schema) : await readWhole(task, schema);
  try {
    return blockFromRows(rows, schema);
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    throw fileError(
      task.read.name,
      { path: task.fragment.path },
      `the records do not share one type per column (${error.message})`,
      'pass a schema to readJson, or make the records agree',
      error,
    );
  }
};

async function readLines(task: ReadTask, schema: Schema | undefined): Promise<Row[]> {
  const rows: Row[] = [];
  const limit = task.read.limit ?? Infinity;
  const lines = new FragmentLines(task.fragment, taskStore(task));
  let index = -1;
  for await (const text of lines) {
    index++;
    if (rows.length >= limit) break;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      task.badRecord({ line: await lines.lineNumber(index) }, `the line is not valid JSON (${causeMessage(error)})`, error);
      continue;
    }
    const problem = recordProblem(value, schema);
    if (problem === null) rows.push(value as Row);
    else task.badRecord({ line: await lines.lineNumber(index) }, `the line ${problem}`);
  }
  return rows;
}

/** A file read whole: a top-level array (or a single object); anything else is read as JSON Lines. */
async function readWhole(task: ReadTask, schema: Schema | undefined): Promise<Row[]> {
  const bytes = await taskStore(task).read(task.fragment.path);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const head = text.trimStart();
  if (!head.startsWith('[') && !head.startsWith('{')) return readLines(task, schema);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (head.startsWith('{')) return readLines(task, schema); // JSON Lines whose first line is an object
    throw fileError(
      task.read.name,
      { path: task.fragment.path },
      `the file is not valid JSON (${causeMessage(error)})`,
      SKIP_FILES_HINT,
      error,
    );
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const rows: Row[] = [];
  const limit = task.read.limit ?? Infinity;
  for (let i = 0; i < items.length && rows.length < limit; i++) {
    const problem = recordProblem(items[i], schema);
    if (problem === null) rows.push(items[i] as Row);
    else task.badRecord({ rowIndex: i }, `element ${i} of the array ${problem}`);
  }
  return rows;
}

/** Why a parsed value cannot be a row (not an object, or a field of the wrong type for the schema), or null. */
function recordProblem(value: unknown, schema: Schema | undefined): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `holds ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not an object`;
  }
  if (schema === undefined) return null;
  for (const field of schema.fields) {
    const v = (value as Row)[field.name];
    if (!fits(v, field.type as DataType))
      return `has ${JSON.stringify(v)} in '${field.name}', which the schema makes ${String(field.type)}`;
  }
  return null;
}

/** Whether a JSON value can be stored in a column of the given type (null always can). */
function fits(value: unknown, type: DataType): boolean {
  const kind = valueKind(value);
  switch (kind) {
    case null:
      return true;
    case 'number':
      return type.typeId === Type.Float || (type.typeId === Type.Int && Number.isInteger(value));
    case 'string':
      return type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8;
    case 'boolean':
      return type.typeId === Type.Bool;
    case 'vector':
    case 'list':
      return type.typeId === Type.List || type.typeId === Type.FixedSizeList;
    case 'struct':
      return type.typeId === Type.Struct;
    default:
      return false;
  }
}
