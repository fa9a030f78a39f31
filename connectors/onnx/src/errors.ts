import { SluiceError } from 'sluice';

/** An ONNX model that cannot be opened, or that does not fit the batches it is given. */
export class OnnxModelError extends SluiceError {
  override name = 'OnnxModelError';
}

/** A tokenizer that cannot be loaded (missing or malformed tokenizer.json). */
export class TokenizerLoadError extends SluiceError {
  override name = 'TokenizerLoadError';
}

/** A batch column that cannot become the tensor a model input needs. */
export class TensorMappingError extends SluiceError {
  override name = 'TensorMappingError';
}
