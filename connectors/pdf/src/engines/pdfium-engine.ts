import { readFileBytes } from 'sluice';
import type { DocumentInfo } from '../document-info.js';
import { parsePdfDate } from '../pdf-date.js';
import { checkFraming } from '../pdf-framing.js';
import type { EngineDocument, OpenEngineDocument } from './pdf-engine.js';
import { pdfium, type PdfiumHandle } from './pdfium-module.js';
import { pdfiumPageText } from './pdfium-text.js';

// FPDF_GetLastError's codes (fpdfview.h).
const FPDF_ERR_FILE = 2;
const FPDF_ERR_FORMAT = 3;
const FPDF_ERR_PASSWORD = 4;
const FPDF_ERR_SECURITY = 5;

// The PNG encoder (@napi-rs/canvas) is loaded when a page is rendered: jobs without images never load it.
const loadRender = async () => (await import('./pdfium-render.js')).renderPdfiumPage;

/**
 * The PDFium engine (@embedpdf/pdfium): the document parsed in the thread's one WebAssembly
 * instance, from a copy of the file's bytes in its memory, freed by destroy().
 */
export const openPdfiumDocument: OpenEngineDocument = async (path, password, storage, signal) => {
  // Read as they are (no copy of our own): they are copied once, into PDFium's memory.
  const data = await readFileBytes(path, storage);
  checkFraming(data);
  const handle = await pdfium();
  signal?.throwIfAborted();
  const { fn, runtime } = handle;
  const bytes = runtime.wasmExports.malloc(data.length);
  if (bytes === 0) throw new Error(`PDFium cannot allocate ${data.length} bytes for the file (WebAssembly memory is full)`);
  runtime.HEAPU8.set(data, bytes);
  const doc = fn.FPDF_LoadMemDocument(bytes, data.length, password ?? '');
  if (doc === 0) {
    const code = fn.FPDF_GetLastError();
    runtime.wasmExports.free(bytes);
    throw new Error(openProblem(code, password));
  }
  let open = true;
  // A page being read when the read is given up on: the document is closed after it, not under it.
  let reading = false;
  let closing = false;
  const close = () => {
    open = false;
    fn.FPDF_CloseDocument(doc);
    runtime.wasmExports.free(bytes);
  };
  // Read once: each part of a large file a worker reads from this document asks for it.
  let info: DocumentInfo | undefined;
  const engineDoc: EngineDocument = {
    numPages: fn.FPDF_GetPageCount(doc),
    info: () => Promise.resolve((info ??= documentInfo(handle, doc))),
    async readPage(page, renderScale) {
      if (!open) throw new Error('the document was closed');
      reading = true;
      const loaded = fn.FPDF_LoadPage(doc, page - 1);
      try {
        if (loaded === 0) throw new Error(`PDFium cannot load the page (error ${fn.FPDF_GetLastError()})`);
        const text = pageText(handle, loaded);
        const image = renderScale === null ? undefined : await (await loadRender())(handle, loaded, renderScale);
        return { text, image };
      } finally {
        if (loaded !== 0) fn.FPDF_ClosePage(loaded);
        reading = false;
        if (closing && open) close();
      }
    },
    destroy() {
      // Called again when a read given up on is also finished: the document is closed once.
      closing = true;
      if (open && !reading) close();
      return Promise.resolve();
    },
  };
  return engineDoc;
};

function pageText(handle: PdfiumHandle, page: number): string {
  const textPage = handle.fn.FPDFText_LoadPage(page);
  if (textPage === 0) throw new Error('PDFium cannot load the text of the page');
  try {
    return pdfiumPageText(handle, textPage);
  } finally {
    handle.fn.FPDFText_ClosePage(textPage);
  }
}

function documentInfo({ fn, runtime }: PdfiumHandle, doc: number): DocumentInfo {
  const meta = (tag: string): string | null => {
    // The size in bytes of the UTF-16 value with its terminating zero; 2 for an empty one.
    const size = fn.FPDF_GetMetaText(doc, tag, 0, 0);
    if (size <= 2) return null;
    const buffer = runtime.wasmExports.malloc(size);
    try {
      fn.FPDF_GetMetaText(doc, tag, buffer, size);
      const value = runtime.UTF16ToString(buffer, size - 2);
      return value.trim() === '' ? null : value;
    } finally {
      runtime.wasmExports.free(buffer);
    }
  };
  const created = meta('CreationDate');
  return {
    title: meta('Title'),
    author: meta('Author'),
    producer: meta('Producer'),
    creationDate: created === null ? null : parsePdfDate(created),
  };
}

export function openProblem(code: number, password: string | null): string {
  if (code === FPDF_ERR_PASSWORD) {
    return password !== null
      ? 'the PDF is encrypted and the password given does not open it'
      : 'the PDF is encrypted with a password; pass it as readPdfs(paths, {password})';
  }
  if (code === FPDF_ERR_SECURITY)
    return "the PDF is encrypted with a security handler PDFium does not support; try readPdfs(paths, {engine: 'pdfjs'})";
  if (code === FPDF_ERR_FORMAT || code === FPDF_ERR_FILE) return `the PDF is damaged beyond repair (pdfium: error ${code})`;
  return `pdfium cannot open it (error ${code})`;
}
