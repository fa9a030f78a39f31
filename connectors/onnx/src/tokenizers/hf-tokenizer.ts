/**
 * A Hugging Face tokenizer.json (WordPiece, BPE, Unigram; with its normalizer, pre-tokenizer
 * and post-processor) through @huggingface/tokenizers, loaded from a local file or folder.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TokenizerLoadError } from '../errors.js';
import { padBatch, type EncodedText, type TextTokenizer, type TokenizedBatch } from './tokenizer.js';

/**
 * What this package calls of @huggingface/tokenizers' Tokenizer, as its version 0.2.0 declares it. The package's
 * .d.ts files import one another without file extensions, which NodeNext resolution rejects, so TypeScript sees
 * the class as unresolved (any); it is typed here, at the import, instead.
 */
export interface HfTokenizerModel {
  encode(text: string, options: { return_token_type_ids: true }): { ids: number[]; token_type_ids: number[] };
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  token_to_id(token: string): number | undefined;
}

const TokenizerModel = Tokenizer as unknown as new (tokenizerJson: object, config: object) => HfTokenizerModel;

export class HfTokenizer implements TextTokenizer {
  readonly tokenizer: HfTokenizerModel;
  readonly padId: number;

  /** `file` is a tokenizer.json, or a folder holding one (and maybe tokenizer_config.json). */
  constructor(file: string) {
    const json = isFolder(file) ? path.join(file, 'tokenizer.json') : file;
    const tokenizerJson = readJson(json);
    const configFile = path.join(path.dirname(json), 'tokenizer_config.json');
    const config = existsSync(configFile) ? readJson(configFile) : {};
    try {
      this.tokenizer = new TokenizerModel(tokenizerJson, config);
    } catch (error) {
      throw new TokenizerLoadError(
        `cannot build a tokenizer from ${json}: ${(error as Error).message}; is it a Hugging Face tokenizer.json?`,
        { cause: error },
      );
    }
    this.padId = padIdOf(tokenizerJson) ?? this.tokenizer.token_to_id('[PAD]') ?? this.tokenizer.token_to_id('<pad>') ?? 0;
  }

  encode(text: string, maxTokens: number): EncodedText {
    const full = this.tokenizer.encode(text, { return_token_type_ids: true });
    if (full.ids.length <= maxTokens) return { ids: full.ids, typeIds: full.token_type_ids };
    return truncate(full.ids, full.token_type_ids, this.tokenizer.encode(text, { add_special_tokens: false }).ids, maxTokens);
  }

  encodeBatch(texts: readonly string[], maxTokens: number): TokenizedBatch {
    return padBatch(
      texts.map((text) => this.encode(text, maxTokens)),
      this.padId,
    );
  }
}

/**
 * Truncates like Hugging Face's `truncation: true`: the text's own tokens are cut and the
 * special tokens the post-processor added around them ([CLS] … [SEP]) are kept. tokenizers.js
 * has no truncation, so the special tokens are found by lining the encoding without them up
 * with the encoding with them.
 */
function truncate(ids: number[], typeIds: number[], plain: number[], maxTokens: number): EncodedText {
  const specials = ids.length - plain.length;
  let prefix = 0;
  while (prefix < specials && !plain.every((id, i) => ids[prefix + i] === id)) prefix++;
  const keep = Math.max(0, maxTokens - specials);
  const pick = (xs: number[]): number[] => [...xs.slice(0, prefix + keep), ...xs.slice(prefix + plain.length)];
  return { ids: pick(ids).slice(0, maxTokens), typeIds: pick(typeIds).slice(0, maxTokens) };
}

function padIdOf(json: unknown): number | undefined {
  const padding = (json as { padding?: { pad_id?: unknown } | null }).padding;
  return typeof padding?.pad_id === 'number' ? padding.pad_id : undefined;
}

function isFolder(file: string): boolean {
  return existsSync(file) && statSync(file).isDirectory();
}

function readJson(file: string): object {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TokenizerLoadError(
      `cannot read the tokenizer file ${file}: ${(error as Error).message}; ` +
        "pass tokenizer {kind: 'huggingface', path} naming a tokenizer.json or the folder holding it",
      { cause: error },
    );
  }
  try {
    return JSON.parse(text) as object;
  } catch (error) {
    throw new TokenizerLoadError(`${file} is not valid JSON (${(error as Error).message}); a Hugging Face tokenizer.json is expected`, {
      cause: error,
    });
  }
}
