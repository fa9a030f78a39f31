import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { chunkText, fromItems, splitText } from 'sluice';
import { HfTokenizer, tokenCounter, TokenizerLoadError } from '../src/index.js';
import { hfTokenCounter } from '../src/tokenizers/token-counter.js';
import { tempDir, writeWordPieceTokenizer } from './fixtures.js';

const TEXT = [
  'The quick brown fox jumps over the lazy dog. The river flowing on and on.',
  'Data streams in batches of arrow vectors, and the model embeds the data.',
  'A dog jumped over a river. The fox jumping on the lazy data!',
].join('\n\n');

test("tokenCounter counts a tokenizer.json's tokens without the special ones", async () => {
  const file = await writeWordPieceTokenizer(await tempDir());
  const count = hfTokenCounter(file);
  // the quick brown fox jump ##s: [CLS] and [SEP] are not counted.
  assert.equal(count('The quick brown fox jumps'), 6);
  assert.equal(count(''), 0);
  assert.equal(count('the river'), new HfTokenizer(file).encode('the river', 64).ids.length - 2);
});

test("chunkText with tokenCounter: chunk sizes in the tokenizer's tokens, counted on workers", async () => {
  const file = await writeWordPieceTokenizer(await tempDir());
  const rows = await fromItems([{ path: 'a.txt', text: TEXT }])
    .flatMap(chunkText({ size: 16, overlap: 4, tokenizer: tokenCounter(file) }))
    .takeAll({ cpus: 2, preserveOrder: true, progress: 'off' });
  const count = hfTokenCounter(file);
  assert.ok(rows.length >= 3);
  for (const row of rows) assert.ok(count(row.text) <= 16, `${count(row.text)} tokens: ${row.text}`);
  assert.deepEqual(
    rows.map((r) => r.text),
    splitText(TEXT, { size: 16, overlap: 4, length: count }).map((s) => s.text),
  );
});

test('tokenCounter refuses a path with no tokenizer before any job runs', async () => {
  const missing = path.join(await tempDir(), 'none.json');
  assert.throws(
    () => tokenCounter(missing),
    (e: unknown) => e instanceof TokenizerLoadError && e.message.includes(missing),
  );
});
