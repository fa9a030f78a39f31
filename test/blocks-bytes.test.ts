/**
 * Block sizes drive the memory budget, bundling and write targets: a slice of a block must
 * count its own rows, not the buffers it shares with the whole table.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockBytes, blockFromRows } from '../src/blocks/block.js';

const rows = Array.from({ length: 10_000 }, (_, i) => ({
  id: i,
  text: 'x'.repeat(100 + (i % 7)),
  bytes: new Uint8Array(16),
  vector: new Float32Array(8),
  list: [i, i + 1, i + 2],
  nested: { name: `n${i}`, tags: ['a', 'b'] },
}));

test('a whole block counts the bytes of its buffers, as Arrow does', () => {
  const block = blockFromRows(rows);
  const arrowBytes = block.batches.reduce((n, b) => n + b.data.byteLength, 0);
  assert.equal(blockBytes(block), arrowBytes);
});

test('slices count their own rows: ten slices add up to about the whole', () => {
  const block = blockFromRows(rows);
  const whole = blockBytes(block);
  let sum = 0;
  for (let start = 0; start < rows.length; start += 1_000) {
    const slice = block.slice(start, start + 1_000);
    const size = blockBytes(slice);
    assert.ok(size < whole / 5, `a tenth of the rows counted ${size} of ${whole} bytes`);
    sum += size;
  }
  // Offsets and validity bitmaps are shared at the edges; values are not double counted.
  assert.ok(Math.abs(sum - whole) / whole < 0.05, `slices sum to ${sum}, whole is ${whole}`);
});

test('a string column built from rows counts its strings, though its offset buffer runs past its rows', () => {
  const block = blockFromRows(Array.from({ length: 1024 }, (_, id) => ({ id, text: 'x'.repeat(1024) })));
  const bytes = blockBytes(block);
  assert.ok(bytes >= 1024 * 1024 && bytes < 1.2 * 1024 * 1024, `${bytes} bytes for 1 MiB of text`);
});
