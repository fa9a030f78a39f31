import type { RgbImage } from '../image/rgb-image.js';

/** The detector's input: the image scaled so both sides are multiples of 32, as NCHW floats. */
export interface DetectionInput {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  /** Source pixels per input pixel, to map boxes back. */
  readonly scaleX: number;
  readonly scaleY: number;
}

/** PaddleOCR's detection normalisation (ImageNet mean and deviation), channel by channel in BGR order as it reads images. */
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/**
 * PaddleOCR's DetResizeForTest ('max' limit) and NormalizeImage: the longer side brought to at
 * most `maxSide`, both sides rounded to multiples of 32 (the network halves the image five times).
 */
export function detectionInput(image: RgbImage, maxSide: number): DetectionInput {
  const ratio = Math.min(1, maxSide / Math.max(image.width, image.height));
  const width = Math.max(32, Math.round((image.width * ratio) / 32) * 32);
  const height = Math.max(32, Math.round((image.height * ratio) / 32) * 32);
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  const scaleX = image.width / width;
  const scaleY = image.height / height;
  const source = image.data;
  const stride = image.width * 3;
  // Bilinear sampling at pixel centres; channel c of the output is BGR[c] of the source.
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, (y + 0.5) * scaleY - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, (x + 0.5) * scaleX - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const fx = sx - x0;
      const a = y0 * stride + x0 * 3;
      const b = y0 * stride + x1 * 3;
      const c = y1 * stride + x0 * 3;
      const d = y1 * stride + x1 * 3;
      const at = y * width + x;
      for (let channel = 0; channel < 3; channel++) {
        const rgb = 2 - channel;
        const top = source[a + rgb] + (source[b + rgb] - source[a + rgb]) * fx;
        const bottom = source[c + rgb] + (source[d + rgb] - source[c + rgb]) * fx;
        data[channel * plane + at] = ((top + (bottom - top) * fy) / 255 - MEAN[channel]) / STD[channel];
      }
    }
  }
  return { data, width, height, scaleX, scaleY };
}
