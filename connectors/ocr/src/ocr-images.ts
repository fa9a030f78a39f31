import os from 'node:os';
import { udf, type Dataset } from 'sluice';
import { TextDetector, type TextDetectorOptions } from './actors/text-detector.js';
import { TextRecognizer, type TextRecognizerOptions } from './actors/text-recognizer.js';
import type { OcrLine } from './reading-order.js';

/** The actor classes as mapBatches references (workers import this module and find them by name). */
export const textDetector = udf(import.meta.url, TextDetector);
export const textRecognizer = udf(import.meta.url, TextRecognizer);

type Actors = number | readonly [min: number, max: number];

/** Line pixels per recognition run on a GPU: 24 full-width lines. */
const GPU_RUN_WIDTH = 48_000;

export interface OcrOptions {
  /** The column of images: encoded bytes or `{pixels, width, height}`. Default 'image'. */
  readonly imageColumn?: string;
  /** Column for each image's text. Default 'text'. */
  readonly textColumn?: string;
  /** Column for its lines, `{text, box, score}`. Default 'lines'. */
  readonly linesColumn?: string;
  /** 'skip': an image that cannot be read (OcrImageError) is left out and logged to the job's errorLog. Default 'fail'. */
  readonly onError?: 'fail' | 'skip';
  /** Drop the image column once its lines are cut out (it is large). Default true. */
  readonly dropImage?: boolean;
  /** Detection actors, a number or `[min, max]` to autoscale. Default 1. */
  readonly detectors?: Actors;
  /**
   * Recognition actors. Default: one per core, since recognition is ~90% of the work (a 150-dpi
   * manual page: detection 0.7 s, its 60 lines 5.6 s on one core).
   */
  readonly recognizers?: Actors;
  /**
   * CPU slots each actor holds, detection and recognition. Defaults 0.25 and 0.375: on two
   * cores a detector and two recognisers take one slot together and leave the other to the
   * job's read tasks (rendering pages, decoding files), which the job keeps free for them.
   */
  readonly numCpus?: { readonly detector?: number; readonly recognizer?: number };
  /** GPUs per actor of each stage (0.5: two actors share one). Default 0. */
  readonly numGpus?: number;
  /**
   * Images whose lines one recognition batch reads together. Default 1 on CPUs, where a page's
   * 50-60 lines already fill runs and each recogniser takes its own page; 8 with numGpus, where
   * larger runs (recognizer.runWidth, then 48,000 by default) pay.
   */
  readonly imagesPerBatch?: number;
  readonly detector?: Omit<TextDetectorOptions, 'imageColumn' | 'dropImage'>;
  readonly recognizer?: Omit<TextRecognizerOptions, 'textColumn' | 'linesColumn'>;
}

/** What ocrImages adds to each row, under the default column names. */
export interface OcrColumns {
  text: string;
  lines: OcrLine[];
}

/**
 * OCR as two actor stages (PaddleOCR PP-OCRv4 on ONNX Runtime): `DetectText` finds each image's
 * lines, `RecognizeText` reads the lines of `imagesPerBatch` images at once, so recognition runs
 * on batches of lines rather than one call per line. Each row gains its text and lines.
 */
export function ocrImages<T extends object>(dataset: Dataset<T>, options: OcrOptions = {}): Dataset<Omit<T, 'image'> & OcrColumns> {
  const numGpus = options.numGpus ?? 0;
  return dataset
    .mapBatches<Record<string, unknown>, [TextDetectorOptions]>(textDetector, {
      name: 'DetectText',
      // One image per call: detection runs an image at a time, a small batch streams, and a skipped batch is the bad image alone.
      batchSize: 1,
      onError: options.onError ?? 'fail',
      concurrency: options.detectors ?? 1,
      numCpus: options.numCpus?.detector ?? 0.25,
      numGpus,
      constructorArgs: [{ ...options.detector, imageColumn: options.imageColumn ?? 'image', dropImage: options.dropImage ?? true }],
    })
    .mapBatches<Record<string, unknown>, [TextRecognizerOptions]>(textRecognizer, {
      name: 'RecognizeText',
      batchFormat: 'arrow',
      batchSize: options.imagesPerBatch ?? (numGpus > 0 ? 8 : 1),
      concurrency: options.recognizers ?? os.availableParallelism(),
      numCpus: options.numCpus?.recognizer ?? 0.375,
      numGpus,
      constructorArgs: [
        {
          ...(numGpus > 0 ? { runWidth: GPU_RUN_WIDTH } : {}),
          ...options.recognizer,
          textColumn: options.textColumn ?? 'text',
          linesColumn: options.linesColumn ?? 'lines',
        },
      ],
    }) as unknown as Dataset<Omit<T, 'image'> & OcrColumns>;
}
