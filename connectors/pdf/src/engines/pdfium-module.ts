import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { init } from '@embedpdf/pdfium';

/** The functions of @embedpdf/pdfium's wrapped module (FPDF_*, typed by the package). */
export type Pdfium = Awaited<ReturnType<typeof init>>;

/**
 * The Emscripten runtime parts used here. The package types them through @types/emscripten,
 * which it does not install; these few are typed locally instead of adding that package.
 */
export interface PdfiumRuntime {
  readonly HEAPU8: Uint8Array;
  readonly wasmExports: PdfiumExports;
  UTF16ToString(pointer: number, maxBytes?: number): string;
  /** A JavaScript function as a WebAssembly function pointer, of `signature` (Emscripten's: 'iiiii' takes four i32 and returns one). */
  addFunction(fn: (...args: number[]) => number, signature: string): number;
}

/**
 * The WebAssembly instance's own exports. The per-character calls go straight to them: cwrap's
 * argument conversion (`fn.*`), and the package's `_FPDF*` wrappers (a debug build's: rest
 * arguments, assertions and a lookup by name on every call), cost more than the calls
 * themselves at a few thousand characters a page (the wrappers were 12% of a worker's time).
 */
export interface PdfiumExports {
  malloc(size: number): number;
  free(pointer: number): void;
  FPDFText_GetUnicode(textPage: number, index: number): number;
  FPDFText_GetLooseCharBox(textPage: number, index: number, rect: number): number;
  FPDFText_GetTextObject(textPage: number, index: number): number;
  FPDFText_GetFontSize(textPage: number, index: number): number;
}

export interface PdfiumHandle {
  readonly fn: Pdfium;
  readonly runtime: PdfiumRuntime;
  /** 16 bytes of WebAssembly memory for one FS_RECTF (four floats), reused by every call that fills one. */
  readonly rect: number;
}

let loading: Promise<PdfiumHandle> | undefined;

/**
 * PDFium, compiled and initialised once per thread (a worker reuses it for every file it reads).
 * The .wasm comes from the installed package, read from disk: no network.
 */
export function pdfium(): Promise<PdfiumHandle> {
  loading ??= (async () => {
    const wasm = await readFile(createRequire(import.meta.url).resolve('@embedpdf/pdfium/pdfium.wasm'));
    const fn = await init({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) });
    fn.PDFiumExt_Init();
    const runtime = fn.pdfium as unknown as PdfiumRuntime;
    return { fn, runtime, rect: runtime.wasmExports.malloc(16) };
  })();
  return loading;
}
