/** Images of known text for the OCR tests: lines drawn in Liberation Sans (the TrueType font pdfjs-dist ships), no system fonts needed. */
import { createRequire } from 'node:module';
import path from 'node:path';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';

const FAMILY = 'Liberation Sans (sluice tests)';
let registered = false;

function registerFont(): void {
  if (registered) return;
  const pdfjs = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  if (!GlobalFonts.registerFromPath(path.join(pdfjs, 'standard_fonts', 'LiberationSans-Regular.ttf'), FAMILY))
    throw new Error('cannot register LiberationSans-Regular.ttf from pdfjs-dist');
  registered = true;
}

export interface TextImageOptions {
  readonly width?: number;
  readonly fontPx?: number;
  /** Degrees, clockwise, the whole text turned about the image centre. */
  readonly rotate?: number;
  readonly format?: 'png' | 'jpeg';
}

/** A white image with `lines` drawn top to bottom, black, left-aligned: PNG (or JPEG) bytes. */
export async function textImage(lines: readonly string[], options: TextImageOptions = {}): Promise<Uint8Array> {
  registerFont();
  const fontPx = options.fontPx ?? 22;
  const lineHeight = Math.round(fontPx * 1.6);
  const width = options.width ?? 900;
  const height = lineHeight * (lines.length + 2);
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  if (options.rotate) {
    context.translate(width / 2, height / 2);
    context.rotate((options.rotate * Math.PI) / 180);
    context.translate(-width / 2, -height / 2);
  }
  context.fillStyle = '#000000';
  context.font = `${fontPx}px "${FAMILY}"`;
  lines.forEach((line, i) => context.fillText(line, 40, lineHeight * (i + 1.5)));
  const bytes = options.format === 'jpeg' ? await canvas.encode('jpeg', 92) : await canvas.encode('png');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
