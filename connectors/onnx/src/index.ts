import { udf } from 'sluice';
import { OnnxPredictor } from './onnx-predictor.js';
import { OnnxTextEmbedder } from './onnx-text-embedder.js';

export { OnnxPredictor, type OnnxPredictorOptions, type OnnxSessionOptions } from './onnx-predictor.js';
export { OnnxTextEmbedder, type OnnxTextEmbedderOptions } from './onnx-text-embedder.js';
export { openSession, type SessionSpec } from './open-session.js';
export { cudaSupport, type CudaSupport, type ExecutionProviderChoice } from './execution-provider.js';
export { OnnxModelError, TokenizerLoadError, TensorMappingError } from './errors.js';
export type { Batch, OutputColumn } from './tensors.js';
export type { TextTokenizer, TokenizedBatch, TokenizerSpec } from './tokenizers/tokenizer.js';
export { HashedNgramTokenizer, type HashedNgramTokenizerOptions } from './tokenizers/hashed-ngram-tokenizer.js';
export { HfTokenizer } from './tokenizers/hf-tokenizer.js';
export { tokenCounter } from './tokenizers/token-counter.js';
export {
  hashedNgramModel,
  writeHashedNgramModel,
  hashedNgramWeights,
  hashedNgramReference,
  HASHED_NGRAM_INPUT,
  HASHED_NGRAM_OUTPUT,
  type HashedNgramModelOptions,
  type HashedNgramWeights,
} from './models/hashed-ngram-model.js';
export { mlpModel, writeMlpModel, mlpWeights, mlpReference, type MlpModelOptions, type MlpWeights } from './models/mlp-model.js';
export {
  tokenEmbeddingModel,
  writeTokenEmbeddingModel,
  tokenEmbeddingWeights,
  TOKEN_EMBEDDING_OUTPUT,
  type TokenEmbeddingModelOptions,
  type TokenEmbeddingWeights,
} from './models/token-embedding-model.js';

/**
 * Ready-made references for mapBatches: workers import this module and find these classes by
 * name. Pass options as constructorArgs.
 */
export const onnxPredictor = udf(import.meta.url, OnnxPredictor);
export const textEmbedder = udf(import.meta.url, OnnxTextEmbedder);
