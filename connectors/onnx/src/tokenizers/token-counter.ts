import { existsSync } from 'node:fs';
import path from 'node:path';
import { boundUdf, type TokenCounter, type UdfRef } from 'sluice';
import { TokenizerLoadError } from '../errors.js';
import { HfTokenizer } from './hf-tokenizer.js';

/**
 * A token counter for `chunkText({ tokenizer })`, from a Hugging Face tokenizer.json (or the
 * folder holding one), so that chunk sizes are in the embedding model's tokens. Each worker
 * loads the tokenizer once.
 *
 * ```ts
 * readPdfs(dir).flatMap(chunkText({ size: 256, overlap: 32, tokenizer: tokenCounter('models/bge/tokenizer.json') }))
 * ```
 */
export function tokenCounter(tokenizerJsonPath: string): UdfRef<TokenCounter> {
  const file = path.resolve(tokenizerJsonPath);
  // Checked here, before a job starts, rather than in every worker.
  if (!existsSync(file))
    throw new TokenizerLoadError(`no tokenizer at ${file}; pass tokenCounter the path of a tokenizer.json or of the folder holding one`);
  return boundUdf(import.meta.url, hfTokenCounter, [file]);
}

/**
 * The counter each worker makes. It leaves out the special tokens ([CLS], [SEP]) that the
 * model adds once around a whole input, so the counts of a chunk's pieces add up to the chunk's.
 */
export function hfTokenCounter(file: string): TokenCounter {
  const { tokenizer } = new HfTokenizer(file);
  return (text) => tokenizer.encode(text, { add_special_tokens: false }).ids.length;
}
