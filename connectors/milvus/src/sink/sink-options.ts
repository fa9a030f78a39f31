import { InvalidOptionError } from 'sluice';
import type { MilvusCollectionSpec } from './collection-spec.js';

export interface MilvusRetryEvent {
  readonly method: string;
  readonly collection: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** How long the sink waits before the next attempt. */
  readonly delayMs: number;
  /** What failed, as Milvus or gRPC said it. */
  readonly reason: string;
}

export interface MilvusSinkOptions {
  /** Milvus's address: 'http://localhost:19530', 'localhost:19530', or a Zilliz Cloud endpoint. */
  readonly uri: string;
  /** 'user:password' or an API key; never shown in errors, events or logs. Default: MILVUS_TOKEN, if set (how a cluster worker's sink gets it). */
  readonly token?: string;
  /** Default 'default'. */
  readonly database?: string;
  readonly collection: string;
  /** Default 'upsert': rows replace those with the same primary key, so a rerun does not duplicate them. */
  readonly mode?: 'upsert' | 'insert';
  /** Creates the collection (with its indexes, loaded) when it does not exist; an existing one is used as it is. */
  readonly createCollection?: MilvusCollectionSpec;
  readonly partition?: string;
  /**
   * Most bytes of rows per request, as Milvus receives them. Default 4 MiB: large enough that a
   * request's fixed cost is small, small enough that requests go out while the job still runs
   * rather than in a lump at its end (Milvus refuses messages over 64 MiB).
   */
  readonly batchBytes?: number;
  /** Requests in flight at once, over all of the write's batches. Default 4. */
  readonly inFlight?: number;
  /** Rows per `write` call (the batch a request is cut from). Default: each block as it comes. */
  readonly rowsPerWrite?: number;
  /** Deadline of one call; a call past it is retried. Default 60,000 ms. */
  readonly callTimeoutMs?: number;
  /** Tries per call, the first included, on UNAVAILABLE, DEADLINE_EXCEEDED and rate limits. Default 8. */
  readonly maxAttempts?: number;
  /** First backoff, doubled at each retry up to `retryMaxMs`, with jitter. Default 200 ms. */
  readonly retryBaseMs?: number;
  /** Default 10,000 ms. */
  readonly retryMaxMs?: number;
  /** How long the flush at the end may take. Default 300,000 ms. */
  readonly flushTimeoutMs?: number;
  /** Called before each retry, with the wait it will take. */
  readonly onRetry?: (event: MilvusRetryEvent) => void;
}

export interface ResolvedSinkOptions {
  readonly uri: string;
  readonly database: string | undefined;
  readonly collection: string;
  readonly mode: 'upsert' | 'insert';
  readonly createCollection: MilvusCollectionSpec | undefined;
  readonly partition: string | undefined;
  readonly batchBytes: number;
  readonly inFlight: number;
  readonly rowsPerWrite: number | undefined;
  readonly callTimeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly flushTimeoutMs: number;
  readonly onRetry: ((event: MilvusRetryEvent) => void) | undefined;
}

/** Stands for a value an error must not print. */
class NotShown {
  toString(): string {
    return 'a value (not shown)';
  }
}
const NOT_SHOWN = new NotShown();

export const DEFAULT_BATCH_BYTES = 4 * 1024 * 1024;

const KNOWN: readonly (keyof MilvusSinkOptions)[] = [
  'uri',
  'token',
  'database',
  'collection',
  'mode',
  'createCollection',
  'partition',
  'batchBytes',
  'inFlight',
  'rowsPerWrite',
  'callTimeoutMs',
  'maxAttempts',
  'retryBaseMs',
  'retryMaxMs',
  'flushTimeoutMs',
  'onRetry',
];

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new InvalidOptionError(name, value, 'a positive integer');
  return value;
}

/** The options with their defaults, checked; the token is left out, so it is held in one place only. */
export function resolveSinkOptions(options: MilvusSinkOptions): ResolvedSinkOptions {
  for (const [key, value] of Object.entries(options)) {
    // An unknown option's value is not shown: it may be a misspelt token.
    if (value !== undefined && !KNOWN.includes(key as keyof MilvusSinkOptions)) {
      throw new InvalidOptionError(key, NOT_SHOWN, `one of ${KNOWN.join(', ')} (the options of milvusSink)`);
    }
  }
  if (typeof options.uri !== 'string' || options.uri === '')
    throw new InvalidOptionError('uri', options.uri, "Milvus's address, such as 'http://localhost:19530'");
  if (typeof options.collection !== 'string' || options.collection === '')
    throw new InvalidOptionError('collection', options.collection, 'a collection name');
  const mode = options.mode ?? 'upsert';
  if (mode !== 'upsert' && mode !== 'insert') throw new InvalidOptionError('mode', mode, "'upsert' or 'insert'");
  return {
    uri: options.uri,
    database: options.database,
    collection: options.collection,
    mode,
    createCollection: options.createCollection,
    partition: options.partition,
    batchBytes: positive('batchBytes', options.batchBytes, DEFAULT_BATCH_BYTES),
    inFlight: positive('inFlight', options.inFlight, 4),
    rowsPerWrite: options.rowsPerWrite === undefined ? undefined : positive('rowsPerWrite', options.rowsPerWrite, 0),
    callTimeoutMs: positive('callTimeoutMs', options.callTimeoutMs, 60_000),
    maxAttempts: positive('maxAttempts', options.maxAttempts, 8),
    retryBaseMs: positive('retryBaseMs', options.retryBaseMs, 200),
    retryMaxMs: positive('retryMaxMs', options.retryMaxMs, 10_000),
    flushTimeoutMs: positive('flushTimeoutMs', options.flushTimeoutMs, 300_000),
    onRetry: options.onRetry,
  };
}
