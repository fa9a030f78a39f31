/** What `createCollection` asks for: a collection's fields, its indexes, and whether to load it. */

/** Milvus data types the sink writes, by their Milvus names. */
export type MilvusDataType =
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
  | 'BinaryVector';

export interface MilvusFieldSpec {
  readonly name: string;
  readonly type: MilvusDataType;
  readonly primaryKey?: boolean;
  /** Milvus makes the primary keys (Int64 only). Default false: sluice's `chunkId` makes keys that keep reruns idempotent. */
  readonly autoId?: boolean;
  /** Vector dimension (vector fields). */
  readonly dim?: number;
  /** Most bytes of a VarChar value, UTF-8 (VarChar, and Array of VarChar), 1 to 65,535. */
  readonly maxLength?: number;
  readonly nullable?: boolean;
  /** Element type of an Array field. */
  readonly elementType?: Exclude<MilvusDataType, 'Array' | 'JSON' | `${string}Vector`>;
  /** Most elements of an Array field. */
  readonly maxCapacity?: number;
  readonly description?: string;
}

export interface MilvusIndexSpec {
  readonly field: string;
  /** Default 'AUTOINDEX'. */
  readonly indexType?: string;
  /** Default 'COSINE' ('HAMMING' for binary vectors). */
  readonly metricType?: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

export interface MilvusCollectionSpec {
  readonly fields: readonly MilvusFieldSpec[];
  readonly description?: string;
  /** Columns that are not fields go into Milvus's dynamic field ($meta). Default false. */
  readonly enableDynamicField?: boolean;
  /** Default: AUTOINDEX on every vector field. */
  readonly indexes?: readonly MilvusIndexSpec[];
  /** Load the collection once created, so it can be searched. Default true. */
  readonly load?: boolean;
}
