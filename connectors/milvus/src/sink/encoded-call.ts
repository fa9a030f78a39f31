/**
 * An Insert or Upsert sent through the SDK's own channel (its auth and database metadata
 * included) with the vector columns already encoded: the SDK's serializer encodes the rest of
 * the request, and the vector bytes are appended to it (protobuf reads a repeated field's
 * entries wherever they stand). The request also gives a short toJSON, because the SDK's
 * interceptor stringifies every message it sends.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';

interface MethodDefinition {
  readonly path: string;
  readonly requestSerialize: (request: object) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => unknown;
}

interface ServiceClient {
  makeUnaryRequest(
    path: string,
    serialize: (request: object) => Buffer,
    deserialize: (bytes: Buffer) => unknown,
    request: object,
    options: { deadline: Date },
    callback: (error: Error | null, response?: unknown) => void,
  ): void;
}

interface ChannelPool {
  acquire(): Promise<ServiceClient>;
  release(client: ServiceClient): Promise<void>;
}

export async function callWithEncodedTail(
  client: MilvusClient,
  method: 'Insert' | 'Upsert',
  message: { collection_name: string; num_rows: number },
  tail: readonly Uint8Array[],
  timeoutMs: number,
): Promise<unknown> {
  await client.connectPromise;
  const pool = client.channelPool as unknown as ChannelPool;
  const service = await pool.acquire();
  try {
    const definition = (service as unknown as Record<string, MethodDefinition>)[method];
    const request = { ...message, toJSON: () => ({ collection_name: message.collection_name, num_rows: message.num_rows }) };
    const serialize = (r: object) => Buffer.concat([definition.requestSerialize(r), ...tail]);
    return await new Promise((resolve, reject) =>
      service.makeUnaryRequest(
        definition.path,
        serialize,
        definition.responseDeserialize,
        request,
        { deadline: new Date(Date.now() + timeoutMs) },
        (error, response) => (error ? reject(error) : resolve(response)),
      ),
    );
  } finally {
    await pool.release(service);
  }
}
