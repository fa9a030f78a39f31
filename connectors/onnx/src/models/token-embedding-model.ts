/**
 * A stand-in for a transformer export (all-MiniLM and other BERT-like models): inputs
 * input_ids, attention_mask and token_type_ids [batch, tokens], output last_hidden_state
 * [batch, tokens, hidden] = (word[ids] + type[types]) * mask. It lets the mean-pooling path of
 * OnnxTextEmbedder run, and be checked, without a download.
 */
import { encodeModel, floatTensor, int64Tensor, node, seededUniform, valueInfo, writeModelFile } from './onnx-graph.js';

export interface TokenEmbeddingModelOptions {
  /** Must cover the tokenizer's ids. */
  readonly vocabSize: number;
  /** Default 32. */
  readonly hiddenSize?: number;
  /** Default 3. */
  readonly seed?: number;
}

export interface TokenEmbeddingWeights {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  /** [vocabSize, hiddenSize]. */
  readonly word: Float32Array;
  /** [2, hiddenSize]. */
  readonly type: Float32Array;
}

export const TOKEN_EMBEDDING_OUTPUT = 'last_hidden_state';

export function tokenEmbeddingWeights(options: TokenEmbeddingModelOptions): TokenEmbeddingWeights {
  const hiddenSize = options.hiddenSize ?? 32;
  const seed = options.seed ?? 3;
  return {
    vocabSize: options.vocabSize,
    hiddenSize,
    word: seededUniform(seed, options.vocabSize * hiddenSize, 1),
    type: seededUniform(seed + 1, 2 * hiddenSize, 0.5),
  };
}

export function tokenEmbeddingModel(options: TokenEmbeddingModelOptions): Uint8Array {
  const w = tokenEmbeddingWeights(options);
  const tokens = ['batch', 'tokens'];
  return encodeModel({
    name: 'token_embedding',
    inputs: [
      valueInfo('input_ids', 'int64', tokens),
      valueInfo('attention_mask', 'int64', tokens),
      valueInfo('token_type_ids', 'int64', tokens),
    ],
    outputs: [valueInfo(TOKEN_EMBEDDING_OUTPUT, 'float32', ['batch', 'tokens', w.hiddenSize])],
    initializers: [
      floatTensor('word_embedding', [w.vocabSize, w.hiddenSize], w.word),
      floatTensor('type_embedding', [2, w.hiddenSize], w.type),
      int64Tensor('last_axis', [1], [2]),
    ],
    nodes: [
      node('Gather', ['word_embedding', 'input_ids'], ['words'], { axis: 0 }),
      node('Gather', ['type_embedding', 'token_type_ids'], ['types'], { axis: 0 }),
      node('Add', ['words', 'types'], ['summed']),
      node('Unsqueeze', ['attention_mask', 'last_axis'], ['mask3']),
      // TensorProto.DataType.FLOAT = 1
      node('Cast', ['mask3'], ['mask_float'], { to: 1 }),
      node('Mul', ['summed', 'mask_float'], [TOKEN_EMBEDDING_OUTPUT]),
    ],
  });
}

export function writeTokenEmbeddingModel(file: string, options: TokenEmbeddingModelOptions): Promise<string> {
  return writeModelFile(file, tokenEmbeddingModel(options));
}
