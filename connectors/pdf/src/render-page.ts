import { createCanvas } from '@napi-rs/canvas';
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** A page as PNG bytes at `scale` (1 = 72 dpi), drawn by pdfjs on an @napi-rs/canvas (prebuilt, installed from npm). */
export async function renderPage(page: PDFPageProxy, scale: number): Promise<Uint8Array> {
  const viewport = page.getViewport({ scale });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const context = canvas.getContext('2d');
  // pdfjs types its canvas as the DOM's, which this Node build (no DOM lib) leaves unresolved, so any canvas is
  // accepted; @napi-rs/canvas implements the same 2D API.
  await page.render({
    canvas,
    canvasContext: context,
    viewport,
  }).promise;
  const png = await canvas.encode('png');
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
