import { LINE_HEIGHT } from '../detect/crop-line.js';
import type { RgbImage } from '../image/rgb-image.js';

/** Line crops of one recogniser run, padded to the widest: [lines, 3, 48, width] in BGR, scaled to -1..1. */
export interface RecognitionInput {
  readonly data: Float32Array;
  readonly lines: number;
  readonly width: number;
}

/**
 * PaddleOCR's resize_norm_img for a batch: each line (already LINE_HEIGHT high) left-aligned and
 * padded with zeros to the batch's widest line, at least `minWidth` (the width the model was
 * trained on, 320 for PP-OCRv4).
 */
export function recognitionInput(crops: readonly RgbImage[], minWidth: number): RecognitionInput {
  const width = Math.max(minWidth, ...crops.map((crop) => crop.width));
  const plane = LINE_HEIGHT * width;
  const data = new Float32Array(crops.length * 3 * plane);
  crops.forEach((crop, line) => {
    const base = line * 3 * plane;
    const pixels = crop.data;
    for (let y = 0; y < LINE_HEIGHT; y++) {
      for (let x = 0; x < crop.width; x++) {
        const source = (y * crop.width + x) * 3;
        const at = base + y * width + x;
        data[at] = pixels[source + 2] / 127.5 - 1;
        data[at + plane] = pixels[source + 1] / 127.5 - 1;
        data[at + 2 * plane] = pixels[source] / 127.5 - 1;
      }
    }
  });
  return { data, lines: crops.length, width };
}
