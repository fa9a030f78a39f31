/**
 * One Milvus call with the sink's own retries (the SDK's are off: with SDK 3.0.6 a retried call
 * is never re-sent and hangs until its deadline). Transient failures — UNAVAILABLE,
 * DEADLINE_EXCEEDED and Milvus's rate limits — are retried after a jittered exponential
 * backoff; a request over the server's message limit is reported for splitting; anything else
 * fails at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResStatus } from '@zilliz/milvus2-sdk-node';
import { MilvusRequestError } from '../errors.js';
import type { ResolvedSinkOptions } from './sink-options.js';

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;
const GRPC_NAMES: Readonly<Record<number, string>> = { 4: 'DEADLINE_EXCEEDED', 8: 'RESOURCE_EXHAUSTED', 14: 'UNAVAILABLE' };

/** merr codes Milvus sends when it asks clients to slow down or come back: not ready, unavailable, request limit, rate limit, quota exceeded. */
const RETRY_CODES = new Set([1, 2, 4, 8, 9]);
/** The legacy error codes of the same: RateLimit (49), MemoryQuotaExhausted (53), NotReadyServe (56), by name as the SDK decodes them. */
const RETRY_ERROR_CODES = new Set<string | number>(['RateLimit', 'MemoryQuotaExhausted', 'NotReadyServe', 49, 53, 56]);

export type Verdict = { readonly outcome: 'retry' | 'split' | 'fail'; readonly code: number | string; readonly reason: string };

/** The request was bigger than the server takes: split it and send the halves. */
export class OversizeRequest extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function isStatus(value: unknown): value is ResStatus {
  return typeof value === 'object' && value !== null && 'error_code' in value && 'reason' in value;
}

function isSuccess(status: ResStatus): boolean {
  return (status.code ?? 0) === 0 && (status.error_code === 'Success' || status.error_code === 0);
}

/** What to do about a response status; null when it is a success. */
export function judgeStatus(status: ResStatus): Verdict | null {
  if (isSuccess(status)) return null;
  const code = status.code ? status.code : status.error_code;
  const retry = status.retriable || RETRY_CODES.has(status.code ?? 0) || RETRY_ERROR_CODES.has(status.error_code);
  return { outcome: retry ? 'retry' : 'fail', code, reason: status.reason || String(status.error_code) };
}

/** What to do about a thrown error: gRPC statuses have a numeric `code`; anything else is not Milvus's answer and fails. */
export function judgeError(error: unknown): Verdict {
  const { code, details, message } = error as { code?: unknown; details?: unknown; message?: unknown };
  const reason = typeof details === 'string' && details ? details : String(message ?? error);
  if (typeof code !== 'number') return { outcome: 'fail', code: 'none', reason };
  const name = GRPC_NAMES[code] ?? `gRPC ${code}`;
  if (code === GRPC_RESOURCE_EXHAUSTED && /larger than max/i.test(reason)) return { outcome: 'split', code: name, reason };
  const retry = code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_RESOURCE_EXHAUSTED;
  return { outcome: retry ? 'retry' : 'fail', code: name, reason };
}

/** The wait before attempt `attempt + 1`: base·2^(attempt-1), capped, then a random part of it in [1/2, 1]. */
export function backoffMs(attempt: number, options: Pick<ResolvedSinkOptions, 'retryBaseMs' | 'retryMaxMs'>): number {
  const ceiling = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export interface CallTarget {
  readonly method: string;
  readonly collection: string;
}

/**
 * Runs `call` (given its per-call timeout) until it succeeds, retrying transient failures up to
 * `maxAttempts`. Resolves to the response and the attempts it took; rejects with a
 * MilvusRequestError, or an OversizeRequest when the request must be split.
 */
export async function withRetries<T>(
  target: CallTarget,
  options: ResolvedSinkOptions,
  call: (timeoutMs: number) => Promise<T>,
  statusOf: (response: T) => ResStatus | undefined,
): Promise<{ response: T; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    let verdict: Verdict;
    try {
      const response = await call(options.callTimeoutMs);
      const status = statusOf(response);
      const judged = status === undefined ? null : judgeStatus(status);
      if (judged === null) return { response, attempts: attempt };
      verdict = judged;
    } catch (error) {
      // Some SDK methods throw the failed status itself rather than an Error.
      verdict = isStatus(error) ? (judgeStatus(error) ?? judgeError(error)) : judgeError(error);
    }
    if (verdict.outcome === 'split') throw new OversizeRequest(verdict.reason);
    if (verdict.outcome === 'fail' || attempt >= options.maxAttempts) throw requestError(target, verdict, attempt);
    const delayMs = backoffMs(attempt, options);
    options.onRetry?.({ method: target.method, collection: target.collection, attempt, delayMs, reason: verdict.reason });
    await sleep(delayMs);
  }
}

function requestError(target: CallTarget, verdict: Verdict, attempts: number): MilvusRequestError {
  const fix =
    verdict.outcome === 'retry'
      ? 'Milvus stayed unreachable or kept refusing; check that it is up at the uri given, lower inFlight or batchBytes if it rate-limits writes, or raise maxAttempts'
      : 'Milvus refused the call and says the error is not transient, so it was not retried; fix what the reason names';
  return new MilvusRequestError(target.method, target.collection, verdict.code, verdict.reason, attempts, fix);
}
