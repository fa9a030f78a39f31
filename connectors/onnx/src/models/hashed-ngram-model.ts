/**
 * The zero-setup embedding model: token ids → Gather(embedding) → mean over tokens → MatMul
 * projection → L2 normalisation. Its weights are random but deterministic from a seed, so it
 * embeds text the same way everywhere (similar n-gram bags give similar vectors) without a
 * download; `hashedNgramReference` computes the same math in TypeScript.
 */
import { encodeModel, floatTensor, node, seededUniform, valueInfo, writeModelFile } from './onnx-graph.js';

export interface HashedNgramModelOptions {
  /** Rows of the embedding table; id 0 is padding (a zero row). Default 8192. */
  readonly vocabSize?: number;
  /** Width of the embedding table. Default 128. */
  readonly hiddenSize?: number;
  /** Output dimension. Default 384. */
  readonly dim?: number;
  /** Seed of the weights. Default 42. */
  readonly seed?: number;
}

export const HASHED_NGRAM_INPUT = 'input_ids';
export const HASHED_NGRAM_OUTPUT = 'embedding';
export const DEFAULT_VOCAB_SIZE = 8192;
/** Guards the division for an all-padding row (an empty text): its vector is zero, not NaN. */
const EPSILON = 1e-12;

export interface HashedNgramWeights {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly dim: number;
  /** [vocabSize, hiddenSize], row 0 zero. */
  readonly embedding: Float32Array;
  /** [hiddenSize, dim]. */
  readonly projection: Float32Array;
}

export function hashedNgramWeights(options: HashedNgramModelOptions = {}): HashedNgramWeights {
  const vocabSize = options.vocabSize ?? DEFAULT_VOCAB_SIZE;
  const hiddenSize = options.hiddenSize ?? 128;
  const dim = options.dim ?? 384;
  const seed = options.seed ?? 42;
  for (const [name, value] of Object.entries({ vocabSize, hiddenSize, dim })) {
    if (!Number.isInteger(value) || value < 2)
      throw new RangeError(`hashed n-gram model: ${name} must be a whole number >= 2; received ${value}`);
  }
  const embedding = seededUniform(seed, vocabSize * hiddenSize, 1);
  embedding.fill(0, 0, hiddenSize);
  const projection = seededUniform(seed + 1, hiddenSize * dim, 1 / Math.sqrt(hiddenSize));
  return { vocabSize, hiddenSize, dim, embedding, projection };
}

export function hashedNgramModel(options: HashedNgramModelOptions = {}): Uint8Array {
  const w = hashedNgramWeights(options);
  return encodeModel({
    name: 'hashed_ngram_embedding',
    inputs: [valueInfo(HASHED_NGRAM_INPUT, 'int64', ['batch', 'tokens'])],
    outputs: [valueInfo(HASHED_NGRAM_OUTPUT, 'float32', ['batch', w.dim])],
    initializers: [
      floatTensor('token_embedding', [w.vocabSize, w.hiddenSize], w.embedding),
      floatTensor('projection', [w.hiddenSize, w.dim], w.projection),
      floatTensor('epsilon', [], Float32Array.of(EPSILON)),
    ],
    nodes: [
      node('Gather', ['token_embedding', HASHED_NGRAM_INPUT], ['token_vectors'], { axis: 0 }),
      node('ReduceMean', ['token_vectors'], ['mean'], { axes: [1], keepdims: 0 }),
      node('MatMul', ['mean', 'projection'], ['projected']),
      node('ReduceL2', ['projected'], ['norm'], { axes: [1], keepdims: 1 }),
      node('Max', ['norm', 'epsilon'], ['safe_norm']),
      node('Div', ['projected', 'safe_norm'], [HASHED_NGRAM_OUTPUT]),
    ],
  });
}

export function writeHashedNgramModel(file: string, options: HashedNgramModelOptions = {}): Promise<string> {
  return writeModelFile(file, hashedNgramModel(options));
}

/** The model's math in TypeScript (float64): ids [batch, tokens] → unit vectors [batch, dim]. */
export function hashedNgramReference(
  weights: HashedNgramWeights,
  ids: ArrayLike<number | bigint>,
  batch: number,
  tokens: number,
): Float32Array {
  const { hiddenSize: h, dim } = weights;
  const out = new Float32Array(batch * dim);
  const mean = new Float64Array(h);
  const projected = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    mean.fill(0);
    for (let t = 0; t < tokens; t++) {
      const row = Number(ids[b * tokens + t]) * h;
      for (let k = 0; k < h; k++) mean[k] += weights.embedding[row + k] / tokens;
    }
    projected.fill(0);
    for (let k = 0; k < h; k++) {
      for (let d = 0; d < dim; d++) projected[d] += mean[k] * weights.projection[k * dim + d];
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += projected[d] * projected[d];
    const scale = 1 / Math.max(Math.sqrt(norm), EPSILON);
    for (let d = 0; d < dim; d++) out[b * dim + d] = projected[d] * scale;
  }
  return out;
}
