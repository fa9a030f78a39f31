import { Field, Float64, RecordBatch, Schema, Table, Type, type DataType, type Int } from 'apache-arrow';
import { SchemaError } from '../errors.js';
import { blockFromData, emptyBlock, type Block } from './block.js';
import { buildColumn } from './build-column.js';
import { columnValues } from './read-values.js';
import { sameSchema } from './same-schema.js';

/**
 * One schema for several blocks: a column missing from a block, or all null in it,
 * takes the type other blocks give it; int columns widen to the wider int, int and float ones to Float64.
 */
export function unifySchemas(schemas: readonly Schema[]): Schema {
  const order: string[] = [];
  const types = new Map<string, DataType>();
  for (const schema of schemas) {
    for (const field of schema.fields) {
      const seen = types.get(field.name);
      if (seen === undefined) {
        order.push(field.name);
        types.set(field.name, field.type as DataType);
      } else {
        types.set(field.name, widen(seen, field.type as DataType, field.name));
      }
    }
  }
  return new Schema(order.map((name) => new Field(name, types.get(name)!, true)));
}

function widen(a: DataType, b: DataType, column: string): DataType {
  if (sameType(a, b)) return a;
  if (a.typeId === Type.Null) return b;
  if (b.typeId === Type.Null) return a;
  // Whole numbers of two widths take the wider; whole and fractional numbers are doubles.
  if (a.typeId === Type.Int && b.typeId === Type.Int) return (a as Int).bitWidth >= (b as Int).bitWidth ? a : b;
  const numeric = (t: DataType) => t.typeId === Type.Float || t.typeId === Type.Int;
  if (numeric(a) && numeric(b)) return new Float64();
  throw new SchemaError(
    `column '${column}' has type ${a.toString()} in one block and ${b.toString()} in another; return one type per column`,
  );
}

export function sameType(a: DataType, b: DataType): boolean {
  return a.toString() === b.toString();
}

/** Rebuilds a block's columns where they differ from the target schema. */
export function conformBlock(block: Block, schema: Schema): Block {
  const fields = block.schema.fields;
  const matches =
    fields.length === schema.fields.length &&
    fields.every((f, i) => f.name === schema.fields[i].name && sameType(f.type as DataType, schema.fields[i].type as DataType));
  if (matches) return sameNullability(block.schema, schema) ? block : relabelBlock(block, schema);
  const batches = block.batches.map((batch) => {
    const columns = schema.fields.map((field) => {
      const index = fields.findIndex((f) => f.name === field.name);
      const existing = index >= 0 ? batch.getChildAt(index)! : null;
      if (existing && sameType(existing.type as DataType, field.type as DataType)) return existing.data[0];
      const values = existing ? columnValues(existing) : new Array<unknown>(batch.numRows).fill(null);
      return buildColumn(values, field.type as DataType);
    });
    return blockFromData(schema.fields, columns, batch.numRows).batches[0];
  });
  return new Table(schema, batches);
}

function sameNullability(a: Schema, b: Schema): boolean {
  return a.fields.every((f, i) => f.nullable === b.fields[i].nullable);
}

/** The same columns under the target schema: Arrow refuses to join batches whose fields differ only in nullability. */
function relabelBlock(block: Block, schema: Schema): Block {
  return new Table(
    schema,
    block.batches.map((batch) => new RecordBatch(schema, batch.data)),
  );
}

/** Concatenates blocks into one (zero-copy when their schemas already agree). */
export function concatBlocks(blocks: readonly Block[]): Block {
  const nonEmpty = blocks.filter((b) => b.numRows > 0);
  if (nonEmpty.length === 0) return blocks.length ? emptyBlock(unifySchemas(blocks.map((b) => b.schema))) : emptyBlock();
  if (nonEmpty.length === 1) return nonEmpty[0];
  // Blocks of one schema (a read task's fragments, a UDF's batches) keep it as it is.
  const [first] = nonEmpty;
  if (nonEmpty.every((b) => sameSchema(b.schema, first.schema)))
    return new Table(
      first.schema,
      nonEmpty.flatMap((b) => b.batches),
    );
  const schema = unifySchemas(nonEmpty.map((b) => b.schema));
  const conformed = nonEmpty.map((b) => conformBlock(b, schema));
  return new Table(
    schema,
    conformed.flatMap((b) => b.batches.map((batch) => batch)),
  );
}
