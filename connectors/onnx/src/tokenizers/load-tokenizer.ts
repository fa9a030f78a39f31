import { HashedNgramTokenizer } from './hashed-ngram-tokenizer.js';
import { HfTokenizer } from './hf-tokenizer.js';
import type { TextTokenizer, TokenizerSpec } from './tokenizer.js';

export function loadTokenizer(spec: TokenizerSpec): TextTokenizer {
  switch (spec.kind) {
    case 'hashed-ngram':
      return new HashedNgramTokenizer(spec);
    case 'huggingface':
      return new HfTokenizer(spec.path);
  }
}
