import type { DescribeCollectionResponse, FieldSchema } from '@zilliz/milvus2-sdk-node';

/** A Milvus field type an import file can carry, by the SDK's names. */
export type ImportFieldType =
  | 'Bool'
  | 'Int8'
  | 'Int16'
  | 'Int32'
  | 'Int64'
  | 'Float'
  | 'Double'
  | 'VarChar'
  | 'JSON'
  | 'Array'
  | 'FloatVector'
  | 'Float16Vector'
  | 'BFloat16Vector'
  | 'BinaryVector'
  | 'Int8Vector'
  | 'SparseFloatVector';

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

/** The import schema of a described collection. */
export function importSchemaOf(described: DescribeCollectionResponse): ImportSchema {
  const collection = described.collection_name || described.schema.name;
  const fields: ImportField[] = [];
  const generated: string[] = [];
  for (const field of described.schema.fields) {
    if (field.is_dynamic) continue;
    if ((field.is_primary_key && field.autoID) || field.is_function_output) {
      generated.push(field.name);
      continue;
    }
    fields.push(importFieldOf(collection, field));
  }
  const primaryKey = described.schema.fields.find((f) => f.is_primary_key && !f.autoID)?.name ?? null;
  return { collection, fields, generated, dynamic: described.schema.enable_dynamic_field, primaryKey };
}

function importFieldOf(collection: string, field: FieldSchema): ImportField {
  const type = fieldType(collection, field.name, field.data_type);
  const dim = field.dim ?? field.type_params.find((p) => p.key === 'dim')?.value;
  return {
    name: field.name,
    type,
    ...(dim !== undefined && dim !== '' ? { dim: Number(dim) } : {}),
    ...(type === 'Array' && field.element_type ? { elementType: fieldType(collection, field.name, field.element_type) } : {}),
    nullable: field.nullable === true,
    hasDefault: field.default_value !== undefined && field.default_value !== null,
  };
}

function fieldType(collection: string, name: string, type: string): ImportFieldType {
  if (!TYPES.has(type)) throw new UnsupportedFieldError(collection, name, type);
  return type as ImportFieldType;
}
