/**
 * `ds.write(milvusSink({...}))`: rows streamed into a Milvus collection by Upsert (the default)
 * or Insert. Each batch is checked against the collection's schema when it arrives; its rows
 * join those of earlier batches until they make a request of `batchBytes`, so small blocks
 * still travel in large requests. At most `inFlight` requests run at once (and as many wait);
 * a request over the server's message limit is halved and sent again, transient failures are
 * retried with backoff, and the write ends by sending what is left and one flush. A request
 * that fails fails the next `write` (or the end of the write): the write as a whole rejects.
 */
import type { MilvusClient, ResStatus } from '@zilliz/milvus2-sdk-node';
import type { Table } from 'apache-arrow';
import { registerSecret, type Datasink, type Row, type SinkOnWorkers, type WriteContext } from 'sluice';
import { MilvusPartialWriteError, MilvusRequestError } from '../errors.js';
import type { SinkSchema } from './collection-schema.js';
import { callWithEncodedTail } from './encoded-call.js';
import { Limiter } from './limiter.js';
import { collectionSchema, connect, flush } from './milvus-calls.js';
import { prepareBatch } from './prepared-batch.js';
import { halves, locate, requestColumns, segmentRows, type Segment } from './request-columns.js';
import { OversizeRequest, withRetries } from './retry.js';
import { resolveSinkOptions, type MilvusSinkOptions, type ResolvedSinkOptions } from './sink-options.js';

/** What one `write` call handed to the sink (`WriteResult.returns` holds one per batch); the write resolves only once all of them are written. */
export interface MilvusWriteReturn {
  readonly rows: number;
  readonly inserted: number;
  readonly upserted: number;
}

/** The whole write, from `sink.summary()`: rows written, requests, retries and splits, whether the sink created the collection and flushed. */
export interface MilvusWriteSummary {
  readonly collection: string;
  readonly rows: number;
  readonly inserted: number;
  readonly upserted: number;
  /** Insert/Upsert requests that succeeded. */
  readonly requests: number;
  /** Attempts past the first, over all requests. */
  readonly retries: number;
  /** Requests halved because the server refused their size. */
  readonly splits: number;
  readonly created: boolean;
  readonly flushed: boolean;
}

interface MutationResult {
  status: ResStatus;
  err_index: number[];
  insert_cnt: string;
  upsert_cnt: string;
}

interface Totals {
  rows: number;
  requests: number;
  retries: number;
  splits: number;
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
  #totals: Totals = { rows: 0, requests: 0, retries: 0, splits: 0 };
  /** Rows waiting to fill a request, all with the same columns. */
  #pending: Segment[] = [];
  #pendingBytes = 0;
  readonly #sending = new Set<Promise<void>>();
  /** The first failure of a request; later writes rethrow it. */
  #failure: { error: unknown } | null = null;

  readonly onWorkers: SinkOnWorkers | undefined;

  constructor(options: MilvusSinkOptions) {
    this.#options = resolveSinkOptions(options);
    // A sink a cluster worker makes gets no token through the queue: the worker's MILVUS_TOKEN.
    this.#token = options.token ?? process.env.MILVUS_TOKEN;
    // Kept out of the dashboard, the run's report and events, should an error message quote it.
    registerSecret(this.#token);
    // Made again on a cluster worker from the same options, when they are plain data (no onRetry callback), less the token.
    const plain: MilvusSinkOptions = { ...options, token: undefined };
    this.onWorkers = options.onRetry === undefined ? { moduleUrl: import.meta.url, exportName: 'milvusSink', args: [plain] } : undefined;
    this.#limiter = new Limiter(this.#options.inFlight);
    this.name = `MilvusSink(${this.#options.collection})`;
    this.rowsPerWrite = this.#options.rowsPerWrite;
  }

  async onWriteStart(): Promise<void> {
    // A sink may be used for several writes (a rerun): each starts afresh.
    this.#failure = null;
    this.#flushed = false;
    this.#totals = { rows: 0, requests: 0, retries: 0, splits: 0 };
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#client = await connect(this.#options, this.#token);
    const { schema, created } = await collectionSchema(this.#client, this.#options);
    this.#schema = schema;
    this.#created = created;
  }

  async write(table: Table, ctx: WriteContext): Promise<MilvusWriteReturn> {
    this.#rethrow();
    const schema = this.#schema;
    if (!schema) throw new Error(`${this.name}: write() was called before onWriteStart()`);
    const batch = prepareBatch(table, { schema, mode: this.#options.mode, batch: ctx.taskIndex });
    if (this.#pending.length && batch.signature !== this.#pending[0].batch.signature) this.#dispatch();
    let start = 0;
    for (let row = 0; row < batch.rows; row++) {
      if (this.#pendingBytes + batch.rowBytes[row] > this.#options.batchBytes && (row > start || this.#pending.length)) {
        if (row > start) this.#pending.push({ batch, start, end: row });
        this.#dispatch();
        start = row;
      }
      this.#pendingBytes += batch.rowBytes[row];
    }
    if (batch.rows > start) this.#pending.push({ batch, start, end: batch.rows });
    // Backpressure: at most inFlight requests running and as many waiting for a slot.
    while (this.#sending.size >= 2 * this.#options.inFlight) await Promise.race(this.#sending);
    this.#rethrow();
    const rows = batch.rows;
    return { rows, inserted: this.#options.mode === 'insert' ? rows : 0, upserted: this.#options.mode === 'upsert' ? rows : 0 };
  }

  /** Resolves once every row given to write() so far is stored: what is pending goes now, and the requests running are waited for. */
  async settled(): Promise<void> {
    this.#rethrow();
    this.#dispatch();
    await Promise.all(this.#sending);
    this.#rethrow();
  }

  async onWriteComplete(): Promise<void> {
    try {
      this.#dispatch();
      await Promise.all(this.#sending);
      this.#rethrow();
      if (this.#client) await flush(this.#client, this.#options);
      this.#flushed = true;
    } finally {
      await this.#close();
    }
  }

  async onWriteFailed(): Promise<void> {
    this.#failure ??= { error: new Error('the write failed elsewhere') };
    this.#pending = [];
    // Requests already sent finish (or fail) before the connection closes; the waiting ones are dropped.
    await Promise.all(this.#sending);
    await this.#close();
  }

  /** What the write did so far: rows written, by mode, requests, retries, splits, and whether it created the collection and flushed. */
  summary(): MilvusWriteSummary {
    const { rows, requests, retries, splits } = this.#totals;
    const upsert = this.#options.mode === 'upsert';
    return {
      collection: this.#options.collection,
      rows,
      inserted: upsert ? 0 : rows,
      upserted: upsert ? rows : 0,
      requests,
      retries,
      splits,
      created: this.#created,
      flushed: this.#flushed,
    };
  }

  #rethrow(): void {
    if (this.#failure) throw this.#failure.error;
  }

  async #close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.closeConnection();
  }

  /** Sends the pending rows as one request (in the background). */
  #dispatch(): void {
    if (!this.#pending.length) return;
    const segments = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const sending: Promise<void> = this.#send(segments)
      .catch((error: unknown) => void (this.#failure ??= { error }))
      .finally(() => this.#sending.delete(sending));
    this.#sending.add(sending);
  }

  /** Sends rows; when the server refuses the size, sends each half instead. */
  async #send(segments: Segment[]): Promise<void> {
    const sent = await this.#limiter.run(() => this.#request(segments));
    if (sent === 'done') return;
    if (segmentRows(segments) === 1) {
      const { batch, row } = locate(segments, 0);
      throw new MilvusRequestError(
        this.#method(),
        this.#options.collection,
        'RESOURCE_EXHAUSTED',
        `row ${row} of batch ${batch.index} alone is larger than the server's gRPC message limit`,
        1,
        "raise Milvus's proxy.grpc.serverMaxRecvSize, or make the row smaller",
      );
    }
    this.#totals.splits += 1;
    await Promise.all(halves(segments).map((half) => this.#send(half)));
  }

  #method(): 'Upsert' | 'Insert' {
    return this.#options.mode === 'upsert' ? 'Upsert' : 'Insert';
  }

  async #request(segments: Segment[]): Promise<'done' | 'split'> {
    const client = this.#client;
    // A failed write stops sending: requests still waiting for a slot are dropped.
    if (this.#failure || !client) return 'done';
    const options = this.#options;
    const method = this.#method();
    const rows = segmentRows(segments);
    const columns = requestColumns(segments);
    const message = {
      collection_name: options.collection,
      db_name: options.database,
      partition_name: options.partition,
      fields_data: columns.messages,
      num_rows: rows,
    };
    let result: { response: MutationResult; attempts: number };
    try {
      // The SDK's row-by-row insert() is bypassed: the columns are already in Milvus's layout.
      result = await withRetries(
        { method, collection: options.collection },
        options,
        async (timeout) => {
          // Once another request has failed the write, no retry of this one is started.
          if (this.#failure) throw new Error('the write failed in another request');
          return (await callWithEncodedTail(client, method, message, columns.encoded, timeout)) as MutationResult;
        },
        (r) => r.status,
      );
    } catch (error) {
      if (error instanceof OversizeRequest) return 'split';
      throw error;
    }
    const { response, attempts } = result;
    const written = Number(method === 'Upsert' ? response.upsert_cnt : response.insert_cnt);
    if (response.err_index.length || written !== rows) {
      const refused = response.err_index.map((i) => {
        const { batch, row } = locate(segments, i);
        return { batch: batch.index, row, primaryKey: batch.primaryKey(row) };
      });
      throw new MilvusPartialWriteError(options.collection, refused, written, rows);
    }
    this.#totals.rows += rows;
    this.#totals.requests += 1;
    this.#totals.retries += attempts - 1;
    return 'done';
  }
}

/** A Datasink that writes a dataset's rows into a Milvus collection; see MilvusSinkOptions and README "Milvus". */
export function milvusSink<T extends object = Row>(options: MilvusSinkOptions): MilvusSink<T> {
  return new MilvusSink<T>(options);
}
