import { LINE_HEIGHT } from './detect/crop-line.js';
import type { RgbImage } from './image/rgb-image.js';

/**
 * An image's detected lines as they travel from TextDetector to TextRecognizer: the line crops
 * (RGB, LINE_HEIGHT high) end to end in one buffer, with their widths, corners and scores. Four
 * columns of plain arrays, not a list of structs of images, cross between threads as a few
 * buffers.
 */
export interface DetectedRegions {
  readonly crops: Uint8Array;
  readonly widths: Int32Array;
  /** Eight numbers per line: x, y of its corners clockwise from the top-left, in image pixels. */
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
}

export interface DetectedLine {
  readonly crop: RgbImage;
  readonly box: readonly number[];
  readonly score: number;
}

export function packRegions(lines: readonly DetectedLine[]): DetectedRegions {
  const crops = new Uint8Array(lines.reduce((n, line) => n + line.crop.data.length, 0));
  let offset = 0;
  for (const { crop } of lines) {
    crops.set(crop.data, offset);
    offset += crop.data.length;
  }
  return {
    crops,
    widths: Int32Array.from(lines, (line) => line.crop.width),
    boxes: Float32Array.from(lines.flatMap((line) => line.box)),
    scores: Float32Array.from(lines, (line) => line.score),
  };
}

/** The lines back from an Arrow struct value (its list fields as Arrow vectors, its crops as bytes). */
export function unpackRegions(value: unknown): DetectedLine[] {
  if (value === null || value === undefined) return [];
  const fields = value as Record<keyof DetectedRegions, ArrayLike<number> | { toArray(): ArrayLike<number> }>;
  const plain = (field: ArrayLike<number> | { toArray(): ArrayLike<number> }): ArrayLike<number> =>
    'toArray' in field ? field.toArray() : field;
  const [crops, widths, boxes, scores] = [plain(fields.crops), plain(fields.widths), plain(fields.boxes), plain(fields.scores)];
  const lines: DetectedLine[] = [];
  let offset = 0;
  for (let i = 0; i < widths.length; i++) {
    const width = widths[i];
    const size = width * LINE_HEIGHT * 3;
    const data =
      crops instanceof Uint8Array
        ? crops.subarray(offset, offset + size)
        : Uint8Array.from(Array.prototype.slice.call(crops, offset, offset + size) as number[]);
    offset += size;
    lines.push({
      crop: { width, height: LINE_HEIGHT, data },
      box: Array.prototype.slice.call(boxes, i * 8, i * 8 + 8) as number[],
      score: scores[i],
    });
  }
  return lines;
}
