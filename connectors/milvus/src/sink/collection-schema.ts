import type { DescribeCollectionResponse, FieldSchema } from '@zilliz/milvus2-sdk-node';

/** One field of the collection, as the sink checks rows against it. */
export interface SinkField {
  readonly name: string;
  /** Milvus's type name ('Int64', 'VarChar', 'FloatVector', ...). */
  readonly type: string;
  readonly elementType: string;
  readonly primaryKey: boolean;
  readonly autoId: boolean;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
  /** Filled by a collection function (BM25, embeddings): never sent. */
  readonly functionOutput: boolean;
  /** Vector dimension; 0 for scalars. */
  readonly dim: number;
  /** VarChar max length in UTF-8 bytes; 0 when none. */
  readonly maxLength: number;
  readonly maxCapacity: number;
}

export interface SinkSchema {
  readonly collection: string;
  readonly fields: readonly SinkField[];
  readonly primary: SinkField;
  readonly dynamic: boolean;
}

const VECTOR_TYPES = new Set(['FloatVector', 'Float16Vector', 'BFloat16Vector', 'BinaryVector', 'SparseFloatVector', 'Int8Vector']);

export function isVectorType(type: string): boolean {
  return VECTOR_TYPES.has(type);
}

function number(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function sinkField(field: FieldSchema): SinkField {
  return {
    name: field.name,
    type: field.data_type,
    elementType: field.element_type ?? 'None',
    primaryKey: field.is_primary_key,
    autoId: field.is_primary_key && field.autoID,
    nullable: field.nullable ?? false,
    hasDefault: field.default_value !== null && field.default_value !== undefined,
    functionOutput: field.is_function_output,
    dim: number(field.dim),
    maxLength: number(field.max_length),
    maxCapacity: number(field.max_capacity),
  };
}

/** The schema of a DescribeCollection answer (as the SDK formats it). */
export function schemaOf(collection: string, description: DescribeCollectionResponse): SinkSchema {
  const fields = description.schema.fields.map(sinkField);
  const primary = fields.find((f) => f.primaryKey);
  // Milvus refuses collections without a primary key, so this is only a guard against a malformed answer.
  if (!primary) throw new Error(`Milvus described collection '${collection}' without a primary key field`);
  return { collection, fields, primary, dynamic: description.schema.enable_dynamic_field };
}
