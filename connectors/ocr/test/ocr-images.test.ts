import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { fromItems } from 'sluice';
import { characterErrorRate, ocrImages, wordOverlap } from '../src/index.js';
import { textImage } from './text-image.js';

const PROSE = [
  'The quick brown fox jumps over the lazy dog near the river bank.',
  'Batch inference runs the model on many rows at once, which keeps',
  'the processor busy and the cost per document low. Each worker',
  'reads its files, renders the pages and hands the images on to OCR.',
];
const OTHER = ['Invoice number 4471 was paid on 12 March 2024.', 'Please keep this receipt for your records.'];

test('ocrImages reads PNG and JPEG on two actor stages: CER <= 3%, word overlap >= 0.85 against the drawn text', async () => {
  const png = await textImage(PROSE);
  const jpeg = await textImage(OTHER, { format: 'jpeg' });
  const rows = await ocrImages(
    fromItems([
      { id: 'png', image: png },
      { id: 'jpeg', image: jpeg },
    ]),
    { recognizers: 2 },
  ).takeAll({ progress: 'off' });
  assert.equal(rows.length, 2);
  for (const row of rows) {
    const expected = (row.id === 'png' ? PROSE : OTHER).join('\n');
    const cer = characterErrorRate(expected, row.text);
    const overlap = wordOverlap(expected, row.text);
    assert.ok(cer <= 0.03, `${row.id}: CER ${cer.toFixed(4)}\n${row.text}`);
    assert.ok(overlap >= 0.85, `${row.id}: word overlap ${overlap.toFixed(3)}\n${row.text}`);
    assert.equal('image' in row, false, 'the image column is dropped by default');
    assert.equal(row.lines.length, expected.split('\n').length, `${row.id}: one line per drawn line`);
    for (const line of row.lines) {
      assert.equal(line.box.length, 8);
      assert.ok(line.score >= 0.5 && line.score <= 1);
    }
  }
  // Lines come in reading order, top to bottom, with boxes in the image's pixels.
  const png0 = rows.find((r) => r.id === 'png')!;
  const tops = png0.lines.map((l) => Math.min(l.box[1], l.box[3]));
  assert.deepEqual(
    tops,
    [...tops].sort((a, b) => a - b),
  );
  assert.ok(png0.lines[0].box[0] > 20 && png0.lines[0].box[0] < 60, 'the first line starts near x = 40, where it was drawn');
});

test('ocrImages: turned text is still read, a blank image gives no text, and the image column can be kept', async () => {
  const rows = await ocrImages(
    fromItems([
      { id: 'turned', image: await textImage(PROSE.slice(0, 2), { rotate: 4 }) },
      { id: 'blank', image: await textImage([]) },
    ]),
    { dropImage: false, detectors: 1, recognizers: 1 },
  ).takeAll({ progress: 'off' });
  const turned = rows.find((r) => r.id === 'turned')!;
  const expected = PROSE.slice(0, 2).join('\n');
  assert.ok(characterErrorRate(expected, turned.text) <= 0.03, turned.text);
  const blank = rows.find((r) => r.id === 'blank')!;
  assert.equal(blank.text, '');
  assert.deepEqual(blank.lines, []);
  assert.ok((blank as unknown as { image: Uint8Array }).image instanceof Uint8Array, 'dropImage: false keeps the image');
});

test('ocrImages reads raw RGBA pixels with their size', async () => {
  const decoded = await loadImage(Buffer.from(await textImage(OTHER)));
  const context = createCanvas(decoded.width, decoded.height).getContext('2d');
  context.drawImage(decoded, 0, 0);
  const rgba = context.getImageData(0, 0, decoded.width, decoded.height);
  const [row] = await ocrImages(
    fromItems([{ image: { pixels: new Uint8Array(rgba.data.buffer), width: rgba.width, height: rgba.height, channels: 4 } }]),
    { recognizers: 1 },
  ).takeAll({ progress: 'off' });
  assert.ok(characterErrorRate(OTHER.join('\n'), row.text) <= 0.03, row.text);
});

test('ocrImages: bytes that are no image fail the job naming the row and the fix, or are skipped and logged', async () => {
  const items = [
    { path: 'scan-1.png', image: new Uint8Array([1, 2, 3, 4, 5]) },
    { path: 'scan-2.png', image: await textImage(OTHER) },
  ];
  // The failing job reads the bad image alone: a job that fails ends its actors' threads at once,
  // and onnxruntime-node aborts the process when a thread ends inside its native work (a session
  // loading or running; noted on issue 15's stop), which a second image in flight would risk.
  await assert.rejects(ocrImages(fromItems(items.slice(0, 1))).takeAll({ progress: 'off' }), (error: Error) => {
    assert.match(error.message, /image in column 'image' of row 0 of the batch \(path scan-1\.png\) cannot be read/);
    assert.match(error.message, /onError: 'skip'/);
    return true;
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-ocr-test-'));
  try {
    const errorLog = path.join(dir, 'errors.jsonl');
    const rows = await ocrImages(fromItems(items), { onError: 'skip' }).takeAll({ progress: 'off', errorLog });
    assert.deepEqual(
      rows.map((r) => r.path),
      ['scan-2.png'],
    );
    assert.match(await readFile(errorLog, 'utf8'), /scan-1\.png.*cannot be read/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
