import { Field, Schema, type DataType } from 'apache-arrow';
import { parse, type CsvError } from 'csv-parse';
import { blockFromData, type Block } from '../../../blocks/block.js';
import { buildColumn } from '../../../blocks/build-column.js';
import { causeMessage, fileError, missingColumnsProblem } from '../../../errors.js';
import { schemaFromIpc } from '../schema-ipc.js';
import { csvValue, inferCsvType } from './csv-values.js';
import type { FormatReader, ReadTask } from './format-reader.js';
import { taskStore } from './task-store.js';

interface CsvRecord {
  readonly texts: string[];
  readonly line: number;
}

/**
 * A whole CSV file: the first record is the header. A file is one read task because a
 * quoted field may hold line breaks, so a byte range cannot tell where its first record
 * starts without reading the file from its start. Records of the wrong length or with
 * broken quoting are bad records (skippable); types are inferred per column unless a
 * schema is given.
 */
export const readCsvFragment: FormatReader = async (task) => {
  const { header, records } = await parseFile(task);
  if (header === null) return blockFromData([], [], 0);
  const indices = columnIndices(task, header);
  const names = indices.map((i) => header[i]);
  const given = task.read.options.schemaIpc ? schemaFromIpc(task.read.options.schemaIpc) : undefined;
  if (given === undefined) {
    const texts = indices.map((i) => records.map((r) => r.texts[i]));
    const types = texts.map(inferCsvType);
    const fields = names.map((name, c) => new Field(name, types[c], true));
    return blockFromData(
      fields,
      texts.map((column, c) =>
        buildColumn(
          column.map((t) => csvValue(t, types[c])),
          types[c],
        ),
      ),
      records.length,
    );
  }
  return typedBlock(task, records, indices, names, given);
};

async function parseFile(task: ReadTask): Promise<{ header: string[] | null; records: CsvRecord[] }> {
  const { fragment, read } = task;
  const limit = read.limit ?? Infinity;
  const source = await taskStore(task).readStream(fragment.path);
  const parser = source.pipe(
    parse({
      bom: true,
      delimiter: read.options.delimiter,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: read.onError === 'skip',
      on_skip: (error: CsvError | undefined) => {
        if (error) task.badRecord({ line: lineOf(error) }, `the record cannot be parsed (${error.message})`, error);
        return undefined;
      },
    }),
  );
  // pipe() does not pass a read error on (a file that vanished, a directory): the parser must fail with it.
  source.on('error', (error) => parser.destroy(error));
  let header: string[] | null = null;
  const records: CsvRecord[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (header === null) header = record;
      else records.push({ texts: record, line: info.lines - newlinesIn(record) });
      if (records.length >= limit) break;
    }
  } catch (error) {
    const csv = error as CsvError;
    if (typeof csv.code !== 'string' || !csv.code.startsWith('CSV_')) throw error;
    task.badRecord({ line: lineOf(csv) }, `the record cannot be parsed (${csv.message})`, csv);
  } finally {
    parser.destroy();
    source.destroy();
  }
  return { header, records };
}

/** The line a record starts on: csv-parse counts the line it ends on, and a quoted field may span lines. */
function newlinesIn(record: readonly string[]): number {
  let count = 0;
  for (const field of record) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) count++;
  return count;
}

function lineOf(error: CsvError): number | undefined {
  return typeof error.lines === 'number' ? error.lines : undefined;
}

/** Header positions of the columns to read (all, or those asked for, in the order asked). */
function columnIndices(task: ReadTask, header: readonly string[]): number[] {
  const wanted = task.fileColumns ?? header;
  const missing = wanted.filter((c) => !header.includes(c));
  if (missing.length) {
    throw fileError(
      task.read.name,
      { path: task.fragment.path },
      missingColumnsProblem(missing, header, ' in the header'),
      'ask for columns the file has',
    );
  }
  return wanted.map((c) => header.indexOf(c));
}

/** Values converted to the schema's types; a record whose text does not fit is a bad record. */
function typedBlock(task: ReadTask, records: readonly CsvRecord[], indices: number[], names: string[], schema: Schema): Block {
  const types = names.map((name) => schema.fields.find((f) => f.name === name)?.type as DataType | undefined);
  const kept = indices.map((_, c) => types[c] !== undefined);
  const columns: unknown[][] = names.map(() => []);
  for (const record of records) {
    try {
      const values = indices.map((i, c) => (types[c] ? csvValue(record.texts[i], types[c]) : null));
      values.forEach((v, c) => columns[c].push(v));
    } catch (error) {
      task.badRecord({ line: record.line }, `the record does not fit the schema (${causeMessage(error)})`, error);
    }
  }
  const fields = names.map((name, c) => new Field(name, types[c]!, true)).filter((_, c) => kept[c]);
  const data = columns.filter((_, c) => kept[c]).map((values, c) => buildColumn(values, fields[c].type));
  return blockFromData(fields, data, columns[0]?.length ?? 0);
}
