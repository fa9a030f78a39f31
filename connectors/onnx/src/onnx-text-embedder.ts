/**
 * An actor class that embeds a text column: tokenize (hashed n-grams, or a Hugging Face
 * tokenizer.json), run the model, pool token vectors when the model outputs them (mean over
 * the attention mask, as sentence-transformers does), L2-normalise, and add the vectors as a
 * FixedSizeList<Float32> column.
 */
import type { Table } from 'apache-arrow';
import * as ort from 'onnxruntime-node';
import { InvalidOptionError, type Columns } from 'sluice';
import { OnnxModelError } from './errors.js';
import { OnnxPredictor, inputSpecs, type OnnxSessionOptions } from './onnx-predictor.js';
import { textColumn, withColumns, type Batch } from './tensors.js';
import { loadTokenizer } from './tokenizers/load-tokenizer.js';
import type { TextTokenizer, TokenizedBatch, TokenizerSpec } from './tokenizers/tokenizer.js';

export interface OnnxTextEmbedderOptions extends OnnxSessionOptions {
  /** Default: the built-in hashed character 3-gram tokenizer (matches the default model). */
  readonly tokenizer?: TokenizerSpec;
  /** Column holding the texts. Default 'text'. */
  readonly textColumn?: string;
  /** Column the vectors are written to. Default 'embedding'. */
  readonly outputColumn?: string;
  /** Model output to read. Default: the model's first output. */
  readonly modelOutput?: string;
  /** Tokens per text, longer ones truncated. Default 128. */
  readonly maxTokens?: number;
  /**
   * 'none': the output is [batch, dim] (the default model). 'mean': the output is token
   * vectors [batch, tokens, hidden] (transformer exports), averaged over the attention mask.
   * Default 'none'.
   */
  readonly pooling?: 'none' | 'mean';
  /** L2-normalise the vectors. Default true. */
  readonly normalize?: boolean;
}

/** The tokenizer's tensors, by the input names transformer exports use. */
const TOKEN_INPUTS = {
  input_ids: (t: TokenizedBatch) => t.inputIds,
  attention_mask: (t: TokenizedBatch) => t.attentionMask,
  token_type_ids: (t: TokenizedBatch) => t.tokenTypeIds,
} as const;

export class OnnxTextEmbedder extends OnnxPredictor {
  private readonly tokenizer: TextTokenizer;

  constructor(protected override readonly options: OnnxTextEmbedderOptions) {
    super(options);
    const maxTokens = options.maxTokens;
    if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1))
      throw new InvalidOptionError('maxTokens', maxTokens, 'a whole number >= 1');
    if (options.pooling !== undefined && options.pooling !== 'none' && options.pooling !== 'mean')
      throw new InvalidOptionError('pooling', options.pooling, "'none' or 'mean'");
    this.tokenizer = loadTokenizer(options.tokenizer ?? { kind: 'hashed-ngram' });
  }

  override async call(batch: Columns): Promise<Columns>;
  override async call(batch: Table): Promise<Table>;
  override async call(batch: Batch): Promise<Table | Columns> {
    const session = await this.session();
    const tokens = this.tokenizer.encodeBatch(textColumn(batch, this.options.textColumn ?? 'text'), this.options.maxTokens ?? 128);
    const results = await session.run(this.tokenFeeds(tokens, session));
    const output = this.options.modelOutput ?? session.outputNames[0];
    const tensor = results[output] as ort.Tensor | undefined;
    if (!tensor)
      throw new OnnxModelError(
        `${this.where}: ${this.options.modelPath} has no output '${output}' (outputs: ${session.outputNames.join(', ')}); set modelOutput`,
      );
    const { values, dim } = this.pool(tensor, tokens);
    if (this.options.normalize ?? true) normalizeRows(values, dim);
    return withColumns(batch, { [this.options.outputColumn ?? 'embedding']: { values, width: dim } }, this.options.keepColumns);
  }

  private tokenFeeds(tokens: TokenizedBatch, session: ort.InferenceSession): Record<string, ort.Tensor> {
    const dims = [tokens.batch, tokens.tokens];
    return Object.fromEntries(
      inputSpecs(session).map((input) => {
        const from = TOKEN_INPUTS[input.name as keyof typeof TOKEN_INPUTS];
        if (!from || input.type !== 'int64') {
          throw new OnnxModelError(
            `${this.where}: ${this.options.modelPath} has input '${input.name}' (${input.type}); ` +
              `a text embedder feeds int64 ${Object.keys(TOKEN_INPUTS).join(', ')}. Use OnnxPredictor for other models`,
          );
        }
        return [input.name, new ort.Tensor('int64', from(tokens), dims)];
      }),
    );
  }

  /** [batch, dim] vectors from the output: as they are, or averaged over each text's tokens. */
  private pool(tensor: ort.Tensor, tokens: TokenizedBatch): { values: Float32Array; dim: number } {
    const data = tensor.data;
    if (!(data instanceof Float32Array))
      throw new OnnxModelError(`${this.where}: output of ${this.options.modelPath} is ${tensor.type}; a float32 output is expected`);
    const pooling = this.options.pooling ?? 'none';
    const expected = pooling === 'mean' ? 3 : 2;
    if (tensor.dims.length !== expected) {
      throw new OnnxModelError(
        `${this.where}: output of ${this.options.modelPath} has shape [${tensor.dims.join(', ')}]; ` +
          `pooling '${pooling}' takes [batch, ${pooling === 'mean' ? 'tokens, hidden' : 'dim'}]` +
          (pooling === 'none' ? " (set pooling: 'mean' for token vectors)" : ''),
      );
    }
    if (pooling === 'none') return { values: data.slice(), dim: tensor.dims[1] };
    const [batch, count, dim] = tensor.dims;
    const out = new Float32Array(batch * dim);
    for (let b = 0; b < batch; b++) {
      let kept = 0;
      for (let t = 0; t < count; t++) {
        if (tokens.attentionMask[b * tokens.tokens + t] === 0n) continue;
        kept++;
        const row = (b * count + t) * dim;
        for (let d = 0; d < dim; d++) out[b * dim + d] += data[row + d];
      }
      for (let d = 0; d < dim; d++) out[b * dim + d] /= Math.max(kept, 1);
    }
    return { values: out, dim };
  }
}

/** In place; a zero row (an empty text) stays zero. */
function normalizeRows(values: Float32Array, dim: number): void {
  for (let start = 0; start < values.length; start += dim) {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += values[start + d] * values[start + d];
    const scale = 1 / Math.max(Math.sqrt(sum), 1e-12);
    for (let d = 0; d < dim; d++) values[start + d] *= scale;
  }
}
