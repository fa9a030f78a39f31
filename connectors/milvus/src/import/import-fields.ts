import type { SinkSchema } from '../sink/collection-schema.js';
import { DYNAMIC_FIELD } from '../sink/scalar-keys.js';
import type { MilvusDataType } from '../sink/collection-spec.js';

/** A Milvus field type an import file can carry: the sink's, and two vector types only import writes. */
export type ImportFieldType = MilvusDataType | 'Int8Vector' | 'SparseFloatVector';

/**
 * What the encoder needs of one field of the collection: plain data, since it travels to the
 * task pool's workers with the plan.
 */
export interface ImportField {
  readonly name: string;
  readonly type: ImportFieldType;
  /** Vectors: the dimension (bits for BinaryVector). */
  readonly dim?: number;
  /** Array: the element type. */
  readonly elementType?: ImportFieldType;
  readonly nullable: boolean;
  /** A default value means the column may be left out. */
  readonly hasDefault: boolean;
}

/** The collection as the encoder sees it: the fields a file carries, and what it must leave out. */
export interface ImportSchema {
  readonly collection: string;
  readonly fields: readonly ImportField[];
  /** Fields Milvus fills itself (an auto-id primary key, function outputs): a file must not carry them. */
  readonly generated: readonly string[];
  /** Whether columns outside the schema go into the dynamic field `$meta`, as one JSON object per row. */
  readonly dynamic: boolean;
  /** The primary key field when the rows carry it (not auto-id): errors name a row by it. */
  readonly primaryKey: string | null;
}

const TYPES: ReadonlySet<string> = new Set<ImportFieldType>([
  'Bool',
  'Int8',
  'Int16',
  'Int32',
  'Int64',
  'Float',
  'Double',
  'VarChar',
  'JSON',
  'Array',
  'FloatVector',
  'Float16Vector',
  'BFloat16Vector',
  'BinaryVector',
  'Int8Vector',
  'SparseFloatVector',
]);

/** Thrown when a collection has a field that import files cannot carry. */
export class UnsupportedFieldError extends Error {
  constructor(collection: string, field: string, type: string) {
    super(
      `bulk import into collection '${collection}' cannot fill field '${field}' of type ${type}: ` +
        `sluice writes import files for ${[...TYPES].join(', ')}; write this collection with milvusSink instead`,
    );
    this.name = 'UnsupportedFieldError';
  }
}

/** The import schema of a collection, from the schema the sink reads (DescribeCollection). */
export function importSchemaOf(schema: SinkSchema): ImportSchema {
  const fields: ImportField[] = [];
  const generated: string[] = [];
  for (const field of schema.fields) {
    if (field.name === DYNAMIC_FIELD) continue;
    if (field.autoId || field.functionOutput) {
      generated.push(field.name);
      continue;
    }
    const type = fieldType(schema.collection, field.name, field.type);
    fields.push({
      name: field.name,
      type,
      ...(field.dim > 0 ? { dim: field.dim } : {}),
      ...(type === 'Array' ? { elementType: fieldType(schema.collection, field.name, field.elementType) } : {}),
      nullable: field.nullable,
      hasDefault: field.hasDefault,
    });
  }
  const primaryKey = schema.primary.autoId ? null : schema.primary.name;
  return { collection: schema.collection, fields, generated, dynamic: schema.dynamic, primaryKey };
}

function fieldType(collection: string, name: string, type: string): ImportFieldType {
  if (!TYPES.has(type)) throw new UnsupportedFieldError(collection, name, type);
  return type as ImportFieldType;
}
