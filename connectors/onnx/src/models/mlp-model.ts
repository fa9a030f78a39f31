/**
 * A two-layer perceptron (x → MatMul → Add → Relu → MatMul → Add → y) with a dynamic batch
 * dimension: the benchmark's model (384-1536-384), and a plain float-in float-out model for
 * OnnxPredictor's tests.
 */
import { encodeModel, floatTensor, node, seededUniform, valueInfo, writeModelFile } from './onnx-graph.js';

export interface MlpModelOptions {
  /** Default 384. */
  readonly inputSize?: number;
  /** Default 1536. */
  readonly hiddenSize?: number;
  /** Default 384. */
  readonly outputSize?: number;
  /** Default 7. */
  readonly seed?: number;
  /** Graph input name. Default 'x'. */
  readonly inputName?: string;
  /** Graph output name. Default 'y'. */
  readonly outputName?: string;
}

export interface MlpWeights {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;
}

export function mlpWeights(options: MlpModelOptions = {}): MlpWeights {
  const inputSize = options.inputSize ?? 384;
  const hiddenSize = options.hiddenSize ?? 1536;
  const outputSize = options.outputSize ?? 384;
  const seed = options.seed ?? 7;
  return {
    inputSize,
    hiddenSize,
    outputSize,
    w1: seededUniform(seed, inputSize * hiddenSize, 1 / Math.sqrt(inputSize)),
    b1: seededUniform(seed + 1, hiddenSize, 0.1),
    w2: seededUniform(seed + 2, hiddenSize * outputSize, 1 / Math.sqrt(hiddenSize)),
    b2: seededUniform(seed + 3, outputSize, 0.1),
  };
}

export function mlpModel(options: MlpModelOptions = {}): Uint8Array {
  const w = mlpWeights(options);
  const x = options.inputName ?? 'x';
  const y = options.outputName ?? 'y';
  return encodeModel({
    name: 'mlp',
    inputs: [valueInfo(x, 'float32', ['batch', w.inputSize])],
    outputs: [valueInfo(y, 'float32', ['batch', w.outputSize])],
    initializers: [
      floatTensor('w1', [w.inputSize, w.hiddenSize], w.w1),
      floatTensor('b1', [w.hiddenSize], w.b1),
      floatTensor('w2', [w.hiddenSize, w.outputSize], w.w2),
      floatTensor('b2', [w.outputSize], w.b2),
    ],
    nodes: [
      node('MatMul', [x, 'w1'], ['h0']),
      node('Add', ['h0', 'b1'], ['h1']),
      node('Relu', ['h1'], ['h2']),
      node('MatMul', ['h2', 'w2'], ['y0']),
      node('Add', ['y0', 'b2'], [y]),
    ],
  });
}

export function writeMlpModel(file: string, options: MlpModelOptions = {}): Promise<string> {
  return writeModelFile(file, mlpModel(options));
}

/** The perceptron's math in TypeScript (float64), for checking a session's output. */
export function mlpReference(w: MlpWeights, x: ArrayLike<number>, batch: number): Float32Array {
  const out = new Float32Array(batch * w.outputSize);
  const hidden = new Float64Array(w.hiddenSize);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < w.hiddenSize; j++) {
      let s = w.b1[j];
      for (let i = 0; i < w.inputSize; i++) s += x[b * w.inputSize + i] * w.w1[i * w.hiddenSize + j];
      hidden[j] = Math.max(s, 0);
    }
    for (let k = 0; k < w.outputSize; k++) {
      let s = w.b2[k];
      for (let j = 0; j < w.hiddenSize; j++) s += hidden[j] * w.w2[j * w.outputSize + k];
      out[b * w.outputSize + k] = s;
    }
  }
  return out;
}
