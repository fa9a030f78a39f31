import { objectStoreFor, type BlockingFile } from 'sluice';
import { checkFramingOf } from '../pdf-framing.js';
import { countByOpening } from './count-by-opening.js';
import type { CountEnginePages } from './pdf-engine.js';
import { openPdfiumDocument, openProblem } from './pdfium-engine.js';
import { pdfium, type PdfiumHandle } from './pdfium-module.js';

const countOpened = countByOpening(openPdfiumDocument);

/** FPDF_FILEACCESS (fpdfview.h) in 32-bit WebAssembly: the file's length, the block reader, its argument. */
const FILE_ACCESS_BYTES = 12;
/** PDFium's file lengths and positions are 32-bit here. */
const MAX_BLOCK_READ_BYTES = 0xffff_ffff;

/** The files whose blocks PDFium may ask for, by the id it hands back to the reader. */
const open = new Map<number, BlockingFile>();
let nextId = 1;
/** The block reader as a WebAssembly function pointer, made once per thread (its one PDFium instance). */
let reader: number | undefined;

/**
 * A PDF's page count with PDFium. A local file is loaded through a block reader
 * (FPDF_LoadCustomDocument): PDFium reads its cross-references, catalog and page tree and no
 * more, 0.8 MB of 40 MB for 54 Debian manuals, and counts them in 40% of the time that loading
 * each whole file from memory took. The main thread counts the pages of every large file it
 * plans, sharing the cores with the workers. A file on S3 (no blocking reads) is loaded whole.
 */
export const countPdfiumPages: CountEnginePages = async (path, password, storage, signal) => {
  const file = objectStoreFor(path, storage).openBlocking?.(path);
  if (file === undefined) return countOpened(path, password, storage, signal);
  try {
    if (file.size > MAX_BLOCK_READ_BYTES) return await countOpened(path, password, storage, signal);
    // As when the file is opened to be read: a truncated file is not split, its one task says what is wrong.
    checkFramingOf(file.size, (into, position) => file.read(into, position));
    const handle = await pdfium();
    signal?.throwIfAborted();
    return countThroughReader(handle, file, password);
  } finally {
    file.close();
  }
};

function countThroughReader(handle: PdfiumHandle, file: BlockingFile, password: string | null): number {
  const { fn, runtime } = handle;
  const id = nextId++;
  const access = runtime.wasmExports.malloc(FILE_ACCESS_BYTES);
  open.set(id, file);
  try {
    const fields = new DataView(runtime.HEAPU8.buffer, access, FILE_ACCESS_BYTES);
    fields.setUint32(0, file.size, true);
    fields.setUint32(4, blockReader(handle), true);
    fields.setUint32(8, id, true);
    const doc = fn.FPDF_LoadCustomDocument(access, password ?? '');
    if (doc === 0) throw new Error(openProblem(fn.FPDF_GetLastError(), password));
    try {
      return fn.FPDF_GetPageCount(doc);
    } finally {
      fn.FPDF_CloseDocument(doc);
    }
  } finally {
    open.delete(id);
    runtime.wasmExports.free(access);
  }
}

/** The block reader: 1 when it filled the block, 0 when it could not. */
function blockReader({ runtime }: PdfiumHandle): number {
  reader ??= runtime.addFunction((id, position, buffer, size) => {
    const file = open.get(id);
    if (file === undefined) return 0;
    // Memory may have grown since the call began: the current view of it, not one kept.
    const into = runtime.HEAPU8.subarray(buffer >>> 0, (buffer >>> 0) + (size >>> 0));
    return file.read(into, position >>> 0) === into.length ? 1 : 0;
  }, 'iiiii');
  return reader;
}
