/**
 * The sink's calls to Milvus through the SDK, each with the sink's retries: connecting, reading
 * (or creating) the collection, and the flush at the end. The SDK client is made with
 * `maxRetries: 0` (its own retries hang, see retry.ts) and telemetry off.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DataType, MilvusClient, type FieldType, type ResStatus } from '@zilliz/milvus2-sdk-node';
import { MilvusRequestError } from '../errors.js';
import type { MilvusCollectionSpec, MilvusIndexSpec } from './collection-spec.js';
import { isVectorType, schemaOf, type SinkSchema } from './collection-schema.js';
import { withRetries } from './retry.js';
import type { ResolvedSinkOptions } from './sink-options.js';

export async function connect(options: ResolvedSinkOptions, token: string | undefined): Promise<MilvusClient> {
  const { response } = await withRetries(
    { method: 'Connect', collection: options.collection },
    options,
    async (timeout) => {
      const client = new MilvusClient({
        address: options.uri,
        token,
        database: options.database,
        maxRetries: 0,
        timeout,
        telemetry: { enabled: false },
      });
      try {
        await client.connectPromise;
        return client;
      } catch (error) {
        await client.closeConnection();
        throw error;
      }
    },
    () => undefined,
  );
  return response;
}

function notFound(status: ResStatus): boolean {
  return status.code === 100 || status.error_code === 'CollectionNotExists';
}

/** The collection's schema; when it does not exist, it is created from `spec` (indexed and loaded), or the write fails saying how to create it. */
export async function collectionSchema(
  client: MilvusClient,
  options: ResolvedSinkOptions,
): Promise<{ schema: SinkSchema; created: boolean }> {
  const describe = () =>
    withRetries(
      { method: 'DescribeCollection', collection: options.collection },
      options,
      (timeout) => client.describeCollection({ collection_name: options.collection, db_name: options.database, timeout, cache: false }),
      (r) => (notFound(r.status) ? undefined : r.status),
    );
  const { response } = await describe();
  if (!notFound(response.status)) return { schema: schemaOf(options.collection, response), created: false };
  const spec = options.createCollection;
  if (!spec) {
    throw new MilvusRequestError(
      'DescribeCollection',
      options.collection,
      response.status.code ?? response.status.error_code,
      response.status.reason,
      1,
      "create the collection first, or pass createCollection: { fields: [...] } to milvusSink to create it (see README 'Milvus')",
    );
  }
  await createCollection(client, options, spec);
  const created = await describe();
  return { schema: schemaOf(options.collection, created.response), created: true };
}

function fieldType(field: MilvusCollectionSpec['fields'][number]): FieldType {
  return {
    name: field.name,
    description: field.description,
    data_type: DataType[field.type],
    element_type: field.elementType === undefined ? undefined : DataType[field.elementType],
    is_primary_key: field.primaryKey,
    autoID: field.autoId,
    nullable: field.nullable,
    dim: field.dim,
    max_length: field.maxLength,
    max_capacity: field.maxCapacity,
  };
}

async function createCollection(client: MilvusClient, options: ResolvedSinkOptions, spec: MilvusCollectionSpec): Promise<void> {
  const target = (method: string) => ({ method, collection: options.collection });
  const base = { collection_name: options.collection, db_name: options.database };
  await withRetries(
    target('CreateCollection'),
    options,
    (timeout) =>
      client.createCollection({
        ...base,
        timeout,
        description: spec.description,
        enable_dynamic_field: spec.enableDynamicField ?? false,
        fields: spec.fields.map(fieldType),
      }),
    (status) => status,
  );
  const indexes: readonly MilvusIndexSpec[] =
    spec.indexes ??
    spec.fields
      .filter((f) => isVectorType(f.type))
      .map((f) => ({ field: f.name, metricType: f.type === 'BinaryVector' ? 'HAMMING' : 'COSINE' }));
  for (const index of indexes) {
    await withRetries(
      target('CreateIndex'),
      options,
      (timeout) =>
        client.createIndex({
          ...base,
          timeout,
          field_name: index.field,
          index_type: index.indexType ?? 'AUTOINDEX',
          metric_type: index.metricType ?? 'COSINE',
          params: index.params,
        }),
      (status) => status,
    );
  }
  if (spec.load === false) return;
  await withRetries(
    target('LoadCollection'),
    options,
    (timeout) => client.loadCollectionAsync({ ...base, timeout }),
    (status) => status,
  );
  const deadline = Date.now() + options.flushTimeoutMs;
  for (;;) {
    const { response } = await withRetries(
      target('GetLoadingProgress'),
      options,
      (timeout) => client.getLoadingProgress({ ...base, timeout }),
      (r) => r.status,
    );
    if (Number(response.progress) >= 100) return;
    if (Date.now() > deadline) throw stillWaiting('GetLoadingProgress', options, 'the collection was still loading');
    await sleep(200);
  }
}

function stillWaiting(method: string, options: ResolvedSinkOptions, what: string): MilvusRequestError {
  return new MilvusRequestError(
    method,
    options.collection,
    'timeout',
    `${what} after ${options.flushTimeoutMs} ms`,
    1,
    'raise flushTimeoutMs, or look at the load on Milvus',
  );
}

/** One flush of the collection, waited for, so that the rows written are sealed and persisted when the write resolves. */
export async function flush(client: MilvusClient, options: ResolvedSinkOptions): Promise<void> {
  const collection = options.collection;
  const { response } = await withRetries(
    { method: 'Flush', collection },
    options,
    (timeout) => client.flush({ collection_names: [collection], db_name: options.database, timeout }),
    (r) => r.status,
  );
  const result = response as unknown as { coll_segIDs?: Record<string, { data?: number[] }>; coll_flush_ts?: Record<string, number> };
  const segmentIDs = result.coll_segIDs?.[collection]?.data ?? [];
  const flushTs = result.coll_flush_ts?.[collection];
  const deadline = Date.now() + options.flushTimeoutMs;
  for (;;) {
    const state = await withRetries(
      { method: 'GetFlushState', collection },
      options,
      (timeout) => client.getFlushState({ segmentIDs, flush_ts: flushTs, collection_name: collection, db_name: options.database, timeout }),
      (r) => r.status,
    );
    if (state.response.flushed) return;
    if (Date.now() > deadline) throw stillWaiting('GetFlushState', options, 'the flush had not finished');
    await sleep(200);
  }
}
