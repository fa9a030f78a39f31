import type { RgbImage } from '../image/rgb-image.js';
import type { RotatedRect } from './min-area-rect.js';

/** The recogniser's line height in pixels (PP-OCRv4: 48). */
export const LINE_HEIGHT = 48;

/**
 * A text line cut out of the image along its rotated rectangle and scaled to LINE_HEIGHT
 * (PaddleOCR's get_rotate_crop_image, then its recogniser's resize, in one bilinear pass), at
 * most `maxWidth` wide. A line taller than 1.5x its width is read top to bottom, as PaddleOCR does.
 */
export function cropLine(image: RgbImage, line: RotatedRect, maxWidth: number): RgbImage {
  let { width: along, height: across, angle } = line;
  if (across >= along * 1.5) {
    [along, across] = [across, along];
    angle += Math.PI / 2;
  }
  const width = Math.max(1, Math.min(maxWidth, Math.ceil((LINE_HEIGHT * along) / Math.max(1, across))));
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  // Source position of output pixel (0, 0)'s corner, and the steps along and across the line.
  const stepU = along / width;
  const stepV = across / LINE_HEIGHT;
  const originX = line.cx - ux * (along / 2) + uy * (across / 2);
  const originY = line.cy - uy * (along / 2) - ux * (across / 2);
  const data = new Uint8Array(width * LINE_HEIGHT * 3);
  const source = image.data;
  const maxX = image.width - 1;
  const maxY = image.height - 1;
  const stride = image.width * 3;
  for (let y = 0; y < LINE_HEIGHT; y++) {
    const v = (y + 0.5) * stepV;
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5) * stepU;
      const sx = Math.min(maxX, Math.max(0, originX + ux * u - uy * v - 0.5));
      const sy = Math.min(maxY, Math.max(0, originY + uy * u + ux * v - 0.5));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(maxX, x0 + 1);
      const y1 = Math.min(maxY, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const a = y0 * stride + x0 * 3;
      const b = y0 * stride + x1 * 3;
      const c = y1 * stride + x0 * 3;
      const d = y1 * stride + x1 * 3;
      const out = (y * width + x) * 3;
      for (let channel = 0; channel < 3; channel++) {
        const top = source[a + channel] + (source[b + channel] - source[a + channel]) * fx;
        const bottom = source[c + channel] + (source[d + channel] - source[c + channel]) * fx;
        data[out + channel] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return { width, height: LINE_HEIGHT, data };
}
