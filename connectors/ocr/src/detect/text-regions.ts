import { asLine, growRect, minAreaRect, type RotatedRect } from './min-area-rect.js';

/** PaddleOCR's DB post-processing settings (its defaults for PP-OCRv4 detection). */
export interface RegionOptions {
  /** A pixel whose text probability is above this is text. Default 0.3. */
  readonly pixelThreshold: number;
  /** A region whose mean probability is below this is dropped. Default 0.6. */
  readonly boxThreshold: number;
  /** How far a region is grown: area x ratio / perimeter pixels on every side. Default 1.5. */
  readonly unclipRatio: number;
}

export const DEFAULT_REGION_OPTIONS: RegionOptions = { pixelThreshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5 };

/** A text region found by the detector, in the detector's input pixels. */
export interface TextRegion {
  readonly rect: RotatedRect;
  /** Mean text probability over the region's pixels. */
  readonly score: number;
}

const MIN_SIDE = 3;

/**
 * Text regions from the detector's probability map (`width` x `height`): the map thresholded,
 * its 8-connected components labelled, each one's smallest rotated rectangle scored, then
 * grown by the Vatti offset PaddleOCR uses (the network predicts shrunk text kernels).
 */
export function textRegions(probability: Float32Array, width: number, height: number, options: RegionOptions): TextRegion[] {
  const labels = new Int32Array(width * height);
  const regions: TextRegion[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < labels.length; start++) {
    if (labels[start] !== 0 || !(probability[start] > options.pixelThreshold)) continue;
    next++;
    labels[start] = next;
    stack.push(start);
    // Per row of the component, its leftmost and rightmost pixel: their hull is the component's.
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    let sum = 0;
    let count = 0;
    while (stack.length > 0) {
      const at = stack.pop()!;
      const x = at % width;
      const y = (at - x) / width;
      sum += probability[at];
      count++;
      if (!(rowMin.get(y)! <= x)) rowMin.set(y, x);
      if (!(rowMax.get(y)! >= x)) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const neighbour = ny * width + nx;
          if (labels[neighbour] === 0 && probability[neighbour] > options.pixelThreshold) {
            labels[neighbour] = next;
            stack.push(neighbour);
          }
        }
      }
    }
    const score = sum / count;
    if (score < options.boxThreshold) continue;
    // Pixel corners, not centres: a one-pixel-high run still has an area.
    const points: number[] = [];
    for (const [y, x] of rowMin) points.push(x, y, x, y + 1, rowMax.get(y)! + 1, y, rowMax.get(y)! + 1, y + 1);
    const kernel = minAreaRect(points);
    if (Math.min(kernel.width, kernel.height) < MIN_SIDE) continue;
    const area = kernel.width * kernel.height;
    const perimeter = 2 * (kernel.width + kernel.height);
    const grown = growRect(kernel, (area * options.unclipRatio) / perimeter);
    if (Math.min(grown.width, grown.height) < MIN_SIDE + 2) continue;
    regions.push({ rect: asLine(grown), score });
  }
  return regions;
}
