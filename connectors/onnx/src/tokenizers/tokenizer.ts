/** What the text embedder needs from a tokenizer: a batch of texts → padded id tensors. */

/** A batch of token sequences padded to its longest one: [batch, tokens], row-major. */
export interface TokenizedBatch {
  readonly batch: number;
  readonly tokens: number;
  readonly inputIds: BigInt64Array;
  /** 1 for a token, 0 for padding. */
  readonly attentionMask: BigInt64Array;
  /** Segment ids (all 0 for single texts). */
  readonly tokenTypeIds: BigInt64Array;
}

export interface TextTokenizer {
  /** Encodes each text, truncated to `maxTokens`, padded to the batch's longest sequence. */
  encodeBatch(texts: readonly string[], maxTokens: number): TokenizedBatch;
}

/** Which tokenizer an embedder loads: plain JSON, so it can travel as constructorArgs. */
export type TokenizerSpec =
  | { readonly kind: 'hashed-ngram'; readonly vocabSize?: number; readonly n?: number }
  | { readonly kind: 'huggingface'; readonly path: string };

export interface EncodedText {
  readonly ids: readonly number[];
  readonly typeIds?: readonly number[];
}

/**
 * Pads sequences to the longest (at least one token, so an empty text still makes a valid
 * tensor); the batch length follows the data, the model's token axis is dynamic.
 */
export function padBatch(encoded: readonly EncodedText[], padId: number): TokenizedBatch {
  const batch = encoded.length;
  const tokens = Math.max(1, ...encoded.map((e) => e.ids.length));
  const inputIds = new BigInt64Array(batch * tokens).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(batch * tokens);
  const tokenTypeIds = new BigInt64Array(batch * tokens);
  encoded.forEach((e, b) => {
    for (let t = 0; t < e.ids.length; t++) {
      inputIds[b * tokens + t] = BigInt(e.ids[t]);
      attentionMask[b * tokens + t] = 1n;
      tokenTypeIds[b * tokens + t] = BigInt(e.typeIds?.[t] ?? 0);
    }
  });
  return { batch, tokens, inputIds, attentionMask, tokenTypeIds };
}
