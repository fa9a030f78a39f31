import assert from 'node:assert/strict';
import { test } from 'node:test';
import { characterErrorRate, wordOverlap } from '../src/index.js';
import { readingOrder } from '../src/reading-order.js';
import { ctcDecode } from '../src/recognize/ctc-decode.js';
import { lineText } from '../src/recognize/word-spaces.js';

const DICTIONARY = ['a', 'b', 'c', ' ', '，'];

/** A [steps, classes] probability table whose most likely class per step is `best[step]`. */
function table(best: number[]): Float32Array {
  const classes = DICTIONARY.length + 1;
  const out = new Float32Array(best.length * classes).fill(0.01);
  best.forEach((k, step) => (out[step * classes + k] = 0.9));
  return out;
}

test('ctcDecode merges repeats, drops blanks and keeps where each character starts', () => {
  const decoded = ctcDecode(table([1, 1, 0, 1, 2, 2, 0, 0, 3]), 0, 9, DICTIONARY.length + 1, DICTIONARY);
  assert.deepEqual(decoded.chars, ['a', 'a', 'b', 'c']);
  assert.deepEqual(decoded.steps, [0, 3, 4, 8]);
  assert.ok(Math.abs(decoded.score - 0.9) < 1e-6);
});

test('lineText puts word spaces where the crop has a blank gap between two characters', () => {
  // A 48-px-high crop, ink in columns 0-15 and 28-47 ("ab" ... "ca"), blank 16-27 (12 px: a space).
  const width = 48;
  const crop = { width, height: 48, data: new Uint8Array(width * 48 * 3).fill(255) };
  for (let y = 10; y < 38; y++)
    for (let x = 0; x < width; x++) if (x < 16 || x >= 28) crop.data.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
  // Characters at steps 0, 1 (pixels 4, 12), 4, 5 (36, 44): the 12-px gap lies between steps 1 and 4.
  assert.equal(lineText({ chars: ['a', 'b', 'c', 'a'], steps: [0, 1, 4, 5], score: 1 }, crop, 0.125), 'ab ca');
  // A gap narrower than minSpace of the height is no space.
  assert.equal(lineText({ chars: ['a', 'b', 'c', 'a'], steps: [0, 1, 4, 5], score: 1 }, crop, 0.3), 'abca');
  // Spaces the model emits are kept, not doubled.
  assert.equal(lineText({ chars: ['a', 'b', ' ', 'c', 'a'], steps: [0, 1, 2, 4, 5], score: 1 }, crop, 0.125), 'ab ca');
  // Not Latin: no spaces added.
  assert.equal(lineText({ chars: ['中', '文', '字', '体'], steps: [0, 1, 4, 5], score: 1 }, crop, 0.125), '中文字体');
  // Full-width punctuation becomes ASCII in a Latin line.
  assert.equal(lineText({ chars: ['a', 'b', '，', 'c'], steps: [0, 1, 4, 5], score: 1 }, crop, 0.5), 'ab,c');
});

test('readingOrder reads rows top to bottom, a row left to right', () => {
  const box = (x: number, y: number, w: number, h: number) => [x, y, x + w, y, x + w, y + h, x, y + h];
  const { text, lines } = readingOrder([
    { text: 'second row', box: box(10, 60, 200, 20), score: 0.9 },
    { text: 'right', box: box(300, 12, 80, 20), score: 0.9 },
    { text: 'left', box: box(10, 10, 80, 20), score: 0.9 },
  ]);
  assert.equal(text, 'left right\nsecond row');
  assert.deepEqual(
    lines.map((l) => l.text),
    ['left', 'right', 'second row'],
  );
});

test('characterErrorRate ignores whitespace and counts edits over the reference', () => {
  assert.equal(characterErrorRate('hello world', 'hello\nworld'), 0);
  assert.equal(characterErrorRate('abcd', 'abxd'), 0.25);
  assert.equal(characterErrorRate('abcd', 'abc'), 0.25);
  assert.equal(characterErrorRate('', ''), 0);
  assert.equal(wordOverlap('a b c', 'a b d'), 2 / 3);
});
