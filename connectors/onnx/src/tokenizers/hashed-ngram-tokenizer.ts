/**
 * The built-in tokenizer: character n-grams of the lowercased text (with a space at both
 * ends, so word starts and ends are grams of their own), hashed (FNV-1a) into vocabSize-1
 * buckets shifted by one, since id 0 is padding. No vocabulary file, stable across machines.
 */
import { DEFAULT_VOCAB_SIZE } from '../models/hashed-ngram-model.js';
import { padBatch, type TextTokenizer, type TokenizedBatch } from './tokenizer.js';

export interface HashedNgramTokenizerOptions {
  /** Must equal the model's vocabSize. Default 8192. */
  readonly vocabSize?: number;
  /** Characters per gram. Default 3. */
  readonly n?: number;
}

export const PAD_ID = 0;

export class HashedNgramTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly n: number;

  constructor(options: HashedNgramTokenizerOptions = {}) {
    this.vocabSize = options.vocabSize ?? DEFAULT_VOCAB_SIZE;
    this.n = options.n ?? 3;
    if (!Number.isInteger(this.vocabSize) || this.vocabSize < 2)
      throw new RangeError(`hashed n-gram tokenizer: vocabSize must be a whole number >= 2; received ${this.vocabSize}`);
    if (!Number.isInteger(this.n) || this.n < 1)
      throw new RangeError(`hashed n-gram tokenizer: n must be a whole number >= 1; received ${this.n}`);
  }

  /** Ids of one text, at most maxTokens of them (the first grams). */
  encode(text: string, maxTokens: number): number[] {
    const s = ` ${text.normalize('NFKC').toLowerCase().trim()} `;
    if (s.length === 2) return [];
    const count = Math.min(Math.max(s.length - this.n + 1, 1), maxTokens);
    const ids = new Array<number>(count);
    for (let i = 0; i < count; i++) ids[i] = 1 + (fnv1a(s, i, Math.min(i + this.n, s.length)) % (this.vocabSize - 1));
    return ids;
  }

  encodeBatch(texts: readonly string[], maxTokens: number): TokenizedBatch {
    return padBatch(
      texts.map((text) => ({ ids: this.encode(text, maxTokens) })),
      PAD_ID,
    );
  }
}

function fnv1a(s: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    hash ^= s.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
