import { createCanvas } from '@napi-rs/canvas';
import type { PdfiumHandle } from './pdfium-module.js';

/** FPDF_ANNOT: draw annotations (form fields, stamps) as viewers show them. */
const FPDF_ANNOT = 0x01;
const WHITE = 0xffffffff;

/** A loaded page as PNG bytes at `scale` (1 = 72 dpi): drawn by PDFium into a bitmap, encoded by @napi-rs/canvas. */
export async function renderPdfiumPage({ fn, runtime }: PdfiumHandle, page: number, scale: number): Promise<Uint8Array> {
  const width = Math.ceil(fn.FPDF_GetPageWidthF(page) * scale);
  const height = Math.ceil(fn.FPDF_GetPageHeightF(page) * scale);
  const bitmap = fn.FPDFBitmap_Create(width, height, 0);
  if (bitmap === 0) throw new Error(`PDFium cannot allocate a ${width}x${height} bitmap (lower renderPages.scale)`);
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(width, height);
  try {
    fn.FPDFBitmap_FillRect(bitmap, 0, 0, width, height, WHITE);
    fn.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, FPDF_ANNOT);
    const stride = fn.FPDFBitmap_GetStride(bitmap);
    const base = fn.FPDFBitmap_GetBuffer(bitmap);
    const heap = runtime.HEAPU8;
    const out = pixels.data;
    // PDFium's BGRx rows, `stride` bytes apart, into the canvas's RGBA.
    for (let y = 0; y < height; y++) {
      let src = base + y * stride;
      let dst = y * width * 4;
      for (let x = 0; x < width; x++, src += 4, dst += 4) {
        out[dst] = heap[src + 2];
        out[dst + 1] = heap[src + 1];
        out[dst + 2] = heap[src];
        out[dst + 3] = 255;
      }
    }
  } finally {
    fn.FPDFBitmap_Destroy(bitmap);
  }
  context.putImageData(pixels, 0, 0);
  const png = await canvas.encode('png');
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
