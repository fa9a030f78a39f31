/**
 * The demo's worker functions. They live in a module of their own because workers import
 * the module a UDF comes from: a module with no job at its top level loads in a worker
 * without side effects.
 */
import { udf } from 'sluice';

const TOPICS = ['arrow', 'parquet', 'milvus', 'onnx', 'ffmpeg', 'pdf'] as const;
const WORDS = ['block', 'stream', 'vector', 'worker', 'batch', 'query', 'index', 'frame', 'page', 'token', 'model', 'shard'];
export const DIM = 64;

export interface Doc {
  id: number;
  topic: string;
  text: string;
}

/** A deterministic pseudo-random document for row `id`. */
export function makeDoc({ id }: { id: number }): Doc {
  let seed = id * 2654435761;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1000) / 1000;
  const words = Array.from({ length: 20 + Math.floor(next() * 120) }, () => WORDS[Math.floor(next() * WORDS.length)]);
  return { id, topic: TOPICS[id % TOPICS.length], text: words.join(' ') };
}

/**
 * A hashed character-trigram embedding, L2-normalised: CPU-heavy enough (a few hundred µs
 * per document) to be worth running on worker threads.
 */
export interface EmbeddedDoc extends Doc {
  tokens: number;
  vector: Float32Array;
}

export function embed(doc: Doc): EmbeddedDoc {
  const vector = new Float32Array(DIM);
  const text = doc.text;
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i + 3 <= text.length; i++) {
      let h = 2166136261 ^ round;
      for (let j = i; j < i + 3; j++) h = Math.imul(h ^ text.charCodeAt(j), 16777619);
      vector[(h >>> 0) % DIM] += (h & 1 ? 1 : -1) / 8;
    }
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < DIM; i++) vector[i] /= norm;
  return { ...doc, tokens: text.split(' ').length, vector };
}

export const makeDocOnWorkers = udf(import.meta.url, makeDoc);
export const embedOnWorkers = udf(import.meta.url, embed);
