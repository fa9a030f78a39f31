/**
 * The demo's worker functions. They live in a module of their own because workers import
 * the module a UDF comes from: a module with no job at its top level loads in a worker
 * without side effects.
 */
import { udf } from 'sluice';

const TOPICS = ['arrow', 'parquet', 'milvus', 'onnx', 'ffmpeg', 'pdf'] as const;
const WORDS = ['block', 'stream', 'vector', 'worker', 'batch', 'query', 'index', 'frame', 'page', 'token', 'model', 'shard'];

export interface Doc {
  id: number;
  topic: string;
  text: string;
  tokens: number;
}

export interface EmbeddedDoc extends Doc {
  vector: Float32Array;
}

/** A deterministic pseudo-random document for row `id`, its topic's name among its words. */
export function makeDoc({ id }: { id: number }): Doc {
  let seed = id * 2654435761;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1000) / 1000;
  const topic = TOPICS[id % TOPICS.length];
  const words = Array.from({ length: 20 + Math.floor(next() * 120) }, () =>
    next() < 0.2 ? topic : WORDS[Math.floor(next() * WORDS.length)],
  );
  return { id, topic, text: words.join(' '), tokens: words.length };
}

export const makeDocOnWorkers = udf(import.meta.url, makeDoc);
