import { Type, type DataType, type Schema } from 'apache-arrow';
import { SchemaError } from '../errors.js';
import type { Block } from './block.js';
import { castColumns } from './column-types.js';
import { conformBlock } from './concat.js';

/**
 * Holds the blocks of one write to one schema, so that every file of it has the same columns
 * and types (readers such as DuckDB take the first file's): the first block's, with the declared
 * types over it. A later block's numbers are cast losslessly (see castColumns), a column it
 * lacks is null, and a column it adds, or one that would change, is a SchemaError that says how
 * to declare the type.
 */
export class FirstSchema {
  private schema: Schema | null = null;

  constructor(
    private readonly declared: ReadonlyMap<string, DataType>,
    private readonly operator: string,
  ) {}

  fit(block: Block): Block {
    if (this.schema === null) {
      const first = castColumns(block, this.declared, this.operator);
      this.schema = first.schema;
      return first;
    }
    const schema = this.schema;
    const types = new Map(schema.fields.map((f) => [f.name, f.type as DataType]));
    for (const field of block.schema.fields) {
      const type = types.get(field.name);
      if (type === undefined) {
        throw new SchemaError(
          `${this.operator}: column '${field.name}' is not in this write's first file (its columns: ${[...types.keys()].join(', ')}); ` +
            'give every row the same columns, or select them before the write',
        );
      }
      if (type.typeId === Type.Null && (field.type as DataType).typeId !== Type.Null) {
        throw new SchemaError(
          `${this.operator}: column '${field.name}' was all null in this write's first file, so the file has no type for it; ` +
            `declare it (types: { ${field.name}: '…' }, e.g. 'string')`,
        );
      }
    }
    return conformBlock(castColumns(block, types, this.operator), schema);
  }
}
