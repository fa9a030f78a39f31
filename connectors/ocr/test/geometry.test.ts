import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropLine, LINE_HEIGHT } from '../src/detect/crop-line.js';
import { asLine, minAreaRect, rectCorners } from '../src/detect/min-area-rect.js';
import { textRegions } from '../src/detect/text-regions.js';

/** Points filling a w x h rectangle turned by `degrees` about (cx, cy). */
function rotatedPoints(cx: number, cy: number, w: number, h: number, degrees: number): number[] {
  const a = (degrees * Math.PI) / 180;
  const points: number[] = [];
  for (let u = -w / 2; u <= w / 2; u += 1)
    for (let v = -h / 2; v <= h / 2; v += 1) points.push(cx + u * Math.cos(a) - v * Math.sin(a), cy + u * Math.sin(a) + v * Math.cos(a));
  return points;
}

test('minAreaRect finds a turned rectangle: its sides, centre and angle', () => {
  for (const degrees of [0, 7, 30, -20, 90]) {
    const rect = asLine(minAreaRect(rotatedPoints(200, 120, 160, 30, degrees)));
    assert.ok(Math.abs(rect.width - 160) < 1.5, `width ${rect.width} at ${degrees}°`);
    assert.ok(Math.abs(rect.height - 30) < 1.5, `height ${rect.height} at ${degrees}°`);
    assert.ok(Math.abs(rect.cx - 200) < 1 && Math.abs(rect.cy - 120) < 1);
    // As a line: within a quarter turn, so 90° reads as -90° or 90° (the same line).
    const expected = degrees === 90 ? Math.abs(rect.angle) : rect.angle;
    assert.ok(Math.abs(expected - (degrees * Math.PI) / 180) < 0.02, `angle ${rect.angle} at ${degrees}°`);
  }
});

test('rectCorners start at the top-left of a level line and go clockwise', () => {
  const corners = rectCorners({ cx: 50, cy: 20, width: 80, height: 10, angle: 0 });
  assert.deepEqual(
    corners.map(([x, y]) => [Math.round(x), Math.round(y)]),
    [
      [10, 15],
      [90, 15],
      [90, 25],
      [10, 25],
    ],
  );
});

test('textRegions: two blobs of text probability become two grown boxes; a faint one is dropped', () => {
  const width = 200;
  const height = 60;
  const map = new Float32Array(width * height);
  const fill = (x0: number, y0: number, x1: number, y1: number, p: number) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) map[y * width + x] = p;
  };
  fill(10, 10, 90, 20, 0.95);
  fill(110, 10, 190, 20, 0.9);
  fill(10, 40, 90, 50, 0.4);
  const regions = textRegions(map, width, height, { pixelThreshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5 });
  assert.equal(regions.length, 2);
  for (const { rect, score } of regions) {
    assert.ok(score > 0.85);
    // Grown by area x 1.5 / perimeter = 800 x 1.5 / 180 = 6.7 px on every side.
    assert.ok(Math.abs(rect.width - (80 + 2 * 6.67)) < 1 && Math.abs(rect.height - (10 + 2 * 6.67)) < 1, JSON.stringify(rect));
  }
});

test('cropLine cuts a line out along its box and scales it to the recogniser height', () => {
  // A 100 x 40 RGB image, black in x 20..80, y 10..30, white elsewhere.
  const image = { width: 100, height: 40, data: new Uint8Array(100 * 40 * 3).fill(255) };
  for (let y = 10; y < 30; y++) for (let x = 20; x < 80; x++) image.data.fill(0, (y * 100 + x) * 3, (y * 100 + x) * 3 + 3);
  const crop = cropLine(image, { cx: 50, cy: 20, width: 60, height: 20, angle: 0 }, 1000);
  assert.equal(crop.height, LINE_HEIGHT);
  assert.equal(crop.width, Math.ceil((LINE_HEIGHT * 60) / 20));
  const mean = crop.data.reduce((s, v) => s + v, 0) / crop.data.length;
  assert.ok(mean < 10, `the crop is the black box (mean ${mean})`);
  assert.equal(cropLine(image, { cx: 50, cy: 20, width: 60, height: 20, angle: 0 }, 100).width, 100);
});
