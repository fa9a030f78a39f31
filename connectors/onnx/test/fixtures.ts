/** Shared by the tests: temp folders, a small WordPiece tokenizer.json, error measures. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/** A temp folder removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-onnx-test-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export const WORDS = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'the',
  'quick',
  'brown',
  'fox',
  'jump',
  '##s',
  '##ed',
  '##ing',
  'over',
  'lazy',
  'dog',
  '.',
  ',',
  '!',
  'a',
  'river',
  'flow',
  'stream',
  'data',
  'batch',
  'arrow',
  'vector',
  'embed',
  'model',
  'on',
  'in',
  'of',
  'and',
];

/** A BERT-style tokenizer.json: lowercase, BertPreTokenizer, WordPiece, [CLS] $A [SEP]. */
export async function writeWordPieceTokenizer(dir: string): Promise<string> {
  const special = (content: string, id: number) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: WORDS.slice(0, 4).map((w, i) => special(w, i)),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(WORDS.map((w, i) => [w, i])),
    },
  };
  const file = path.join(dir, 'tokenizer.json');
  await writeFile(file, JSON.stringify(json));
  return file;
}

/** Largest ‖a_row − b_row‖ / ‖b_row‖ over rows of `width` values. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, width: number): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let start = 0; start < b.length; start += width) {
    let diff = 0;
    let norm = 0;
    for (let k = start; k < start + width; k++) {
      diff += (a[k] - b[k]) ** 2;
      norm += b[k] ** 2;
    }
    worst = Math.max(worst, Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30));
  }
  return worst;
}

export function rowNorms(values: Float32Array, width: number): number[] {
  const norms: number[] = [];
  for (let start = 0; start < values.length; start += width) {
    let s = 0;
    for (let k = start; k < start + width; k++) s += values[k] ** 2;
    norms.push(Math.sqrt(s));
  }
  return norms;
}
