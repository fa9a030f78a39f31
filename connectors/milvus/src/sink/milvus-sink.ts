/**
 * `ds.write(milvusSink({...}))`: rows streamed into a Milvus collection by Upsert (the default)
 * or Insert. Each batch is checked against the collection's schema, cut into requests of at
 * most `batchBytes`, and sent with at most `inFlight` requests at once over the whole write;
 * a request over the server's message limit is halved and sent again, transient failures are
 * retried with backoff, and the write ends with one flush.
 */
import type { MilvusClient, ResStatus } from '@zilliz/milvus2-sdk-node';
import type { Table } from 'apache-arrow';
import type { Datasink, Row, WriteContext } from 'sluice';
import { MilvusPartialWriteError, MilvusRequestError } from '../errors.js';
import { byteRuns } from './byte-runs.js';
import type { SinkSchema } from './collection-schema.js';
import { callWithEncodedTail } from './encoded-call.js';
import { Limiter } from './limiter.js';
import { collectionSchema, connect, flush } from './milvus-calls.js';
import { prepareBatch, type PreparedBatch } from './prepared-batch.js';
import { OversizeRequest, withRetries } from './retry.js';
import { resolveSinkOptions, type MilvusSinkOptions, type ResolvedSinkOptions } from './sink-options.js';

/** What one `write` call did (`WriteResult.returns` holds one per batch). */
export interface MilvusWriteReturn {
  readonly rows: number;
  readonly inserted: number;
  readonly upserted: number;
  /** Insert/Upsert requests that succeeded. */
  readonly requests: number;
  /** Attempts past the first, over all requests. */
  readonly retries: number;
  /** Requests halved because the server refused their size. */
  readonly splits: number;
}

/** The whole write, from `sink.summary()` once it is done. */
export interface MilvusWriteSummary extends MilvusWriteReturn {
  readonly collection: string;
  /** Whether the sink created the collection. */
  readonly created: boolean;
  readonly flushed: boolean;
}

interface MutationResult {
  status: ResStatus;
  err_index: number[];
  insert_cnt: string;
  upsert_cnt: string;
}

const ZERO: MilvusWriteReturn = { rows: 0, inserted: 0, upserted: 0, requests: 0, retries: 0, splits: 0 };

function add(a: MilvusWriteReturn, b: MilvusWriteReturn): MilvusWriteReturn {
  return {
    rows: a.rows + b.rows,
    inserted: a.inserted + b.inserted,
    upserted: a.upserted + b.upserted,
    requests: a.requests + b.requests,
    retries: a.retries + b.retries,
    splits: a.splits + b.splits,
  };
}

export class MilvusSink<T extends object = Row> implements Datasink<T, MilvusWriteReturn, 'arrow'> {
  readonly name: string;
  readonly batchFormat = 'arrow' as const;
  readonly rowsPerWrite: number | undefined;
  // Private fields: util.inspect and JSON.stringify of the sink never show the token or the client holding it.
  readonly #options: ResolvedSinkOptions;
  readonly #token: string | undefined;
  readonly #limiter: Limiter;
  #client: MilvusClient | null = null;
  #schema: SinkSchema | null = null;
  #created = false;
  #flushed = false;
  #failed = false;
  #totals: MilvusWriteReturn = ZERO;

  constructor(options: MilvusSinkOptions) {
    this.#options = resolveSinkOptions(options);
    this.#token = options.token;
    this.#limiter = new Limiter(this.#options.inFlight);
    this.name = `MilvusSink(${this.#options.collection})`;
    this.rowsPerWrite = this.#options.rowsPerWrite;
  }

  async onWriteStart(): Promise<void> {
    // A sink may be used for several writes (a rerun): each starts afresh.
    this.#failed = false;
    this.#flushed = false;
    this.#totals = ZERO;
    this.#client = await connect(this.#options, this.#token);
    const { schema, created } = await collectionSchema(this.#client, this.#options);
    this.#schema = schema;
    this.#created = created;
  }

  async write(table: Table, ctx: WriteContext): Promise<MilvusWriteReturn> {
    const schema = this.#schema;
    if (!schema || !this.#client) throw new Error(`${this.name}: write() was called before onWriteStart()`);
    if (table.numRows === 0) return ZERO;
    const batch = prepareBatch(table, { schema, mode: this.#options.mode, batch: ctx.taskIndex });
    const runs = byteRuns(batch.rowBytes, this.#options.batchBytes);
    const results = await Promise.all(runs.map(([start, end]) => this.#send(batch, start, end)));
    const done = results.reduce(add, ZERO);
    this.#totals = add(this.#totals, done);
    return done;
  }

  async onWriteComplete(): Promise<void> {
    try {
      if (this.#client) await flush(this.#client, this.#options);
      this.#flushed = true;
    } finally {
      await this.#close();
    }
  }

  async onWriteFailed(): Promise<void> {
    this.#failed = true;
    await this.#close();
  }

  /** What the write did so far: rows, counts by mode, requests, retries, splits, and whether it created the collection and flushed. */
  summary(): MilvusWriteSummary {
    return { ...this.#totals, collection: this.#options.collection, created: this.#created, flushed: this.#flushed };
  }

  async #close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.closeConnection();
  }

  /** Sends rows [start, end) of a batch; when the server refuses the size, sends each half instead. */
  async #send(batch: PreparedBatch, start: number, end: number): Promise<MilvusWriteReturn> {
    const sent = await this.#limiter.run(() => this.#request(batch, start, end));
    if (sent !== 'split') return sent;
    if (end - start === 1) {
      throw new MilvusRequestError(
        this.#method(),
        this.#options.collection,
        'RESOURCE_EXHAUSTED',
        `row ${start} alone is larger than the server's gRPC message limit`,
        1,
        "raise Milvus's proxy.grpc.serverMaxRecvSize, or make the row smaller",
      );
    }
    const middle = start + Math.floor((end - start) / 2);
    const halves = await Promise.all([this.#send(batch, start, middle), this.#send(batch, middle, end)]);
    return { ...add(halves[0], halves[1]), splits: halves[0].splits + halves[1].splits + 1 };
  }

  #method(): 'Upsert' | 'Insert' {
    return this.#options.mode === 'upsert' ? 'Upsert' : 'Insert';
  }

  async #request(batch: PreparedBatch, start: number, end: number): Promise<MilvusWriteReturn | 'split'> {
    const client = this.#client;
    // A failed write stops sending: requests still waiting for a slot are dropped.
    if (this.#failed || !client) throw new Error(`${this.name}: the write was stopped`);
    const options = this.#options;
    const method = this.#method();
    const columns = batch.fieldsData(start, end);
    const message = {
      collection_name: options.collection,
      db_name: options.database,
      partition_name: options.partition,
      fields_data: columns.messages,
      num_rows: end - start,
    };
    let result: { response: MutationResult; attempts: number };
    try {
      // The SDK's row-by-row insert() is bypassed: the columns are already in Milvus's layout.
      result = await withRetries(
        { method, collection: options.collection },
        options,
        async (timeout) => (await callWithEncodedTail(client, method, message, columns.encoded, timeout)) as MutationResult,
        (r) => r.status,
      );
    } catch (error) {
      if (error instanceof OversizeRequest) return 'split';
      this.#failed = true;
      throw error;
    }
    const { response, attempts } = result;
    const rows = end - start;
    const written = Number(method === 'Upsert' ? response.upsert_cnt : response.insert_cnt);
    if (response.err_index.length || written !== rows) {
      this.#failed = true;
      const refused = response.err_index.map((i) => ({ batch: batch.index, row: start + i, primaryKey: batch.primaryKey(start + i) }));
      throw new MilvusPartialWriteError(options.collection, refused, written, rows);
    }
    return {
      rows,
      inserted: method === 'Insert' ? rows : 0,
      upserted: method === 'Upsert' ? rows : 0,
      requests: 1,
      retries: attempts - 1,
      splits: 0,
    };
  }
}

/** A Datasink that writes a dataset's rows into a Milvus collection; see MilvusSinkOptions and README "Milvus". */
export function milvusSink<T extends object = Row>(options: MilvusSinkOptions): MilvusSink<T> {
  return new MilvusSink<T>(options);
}
