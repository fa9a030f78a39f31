import * as ort from 'onnxruntime-node';
import type { SessionSpec } from '@sluice/onnx';
import { InvalidOptionError } from 'sluice';
import { cropLine } from '../detect/crop-line.js';
import { detectionInput } from '../detect/detection-input.js';
import { rectCorners } from '../detect/min-area-rect.js';
import { DEFAULT_REGION_OPTIONS, textRegions, type RegionOptions } from '../detect/text-regions.js';
import { OcrImageError } from '../errors.js';
import { LazySession } from './lazy-session.js';
import { toRgbImage, type ImageInput } from '../image/rgb-image.js';
import { PADDLE_OCR_MODELS } from '../paddle-models.js';
import { packRegions, type DetectedRegions } from '../detected-regions.js';

export interface TextDetectorOptions extends Partial<SessionSpec>, Partial<RegionOptions> {
  /** The column of images: encoded bytes (PNG, JPEG, ...) or `{pixels, width, height}`. Default 'image'. */
  readonly imageColumn?: string;
  /**
   * The longer side of the image the detector sees, in pixels. Default 960, PaddleOCR's: on
   * Debian manual pages at 150 dpi, 1,280 finds the same lines with CER 0.77% against 0.88%, and
   * costs 14% more (detection 0.64 against 0.44 s a page, and its tighter boxes make wider crops).
   */
  readonly maxSide?: number;
  /** The widest line crop, in pixels at 48 px high; a longer line is squeezed into it. Default 1600. */
  readonly maxLineWidth?: number;
  /** Drop the image column from the rows. Default false. */
  readonly dropImage?: boolean;
}

export const DETECTED_COLUMN = 'textRegions';

/**
 * The first OCR stage, an actor class: each image's text lines found by PaddleOCR's DB detector
 * on one ONNX Runtime session per actor (CUDA on its GPU when it has one), cut out along their
 * rotated boxes and scaled to the recogniser's 48-px height. Adds `textRegions` to each row, which
 * TextRecognizer reads (in batches of lines from many images) and replaces with the text.
 */
export class TextDetector {
  private readonly where: string;
  private readonly session: LazySession;
  private readonly regionOptions: RegionOptions;
  private readonly maxSide: number;
  private readonly maxLineWidth: number;
  private readonly imageColumn: string;

  constructor(private readonly options: TextDetectorOptions = {}) {
    this.maxSide = positive('maxSide', options.maxSide ?? 960);
    this.maxLineWidth = positive('maxLineWidth', options.maxLineWidth ?? 1600);
    this.imageColumn = options.imageColumn ?? 'image';
    this.regionOptions = {
      pixelThreshold: fraction('pixelThreshold', options.pixelThreshold ?? DEFAULT_REGION_OPTIONS.pixelThreshold),
      boxThreshold: fraction('boxThreshold', options.boxThreshold ?? DEFAULT_REGION_OPTIONS.boxThreshold),
      unclipRatio: positive('unclipRatio', options.unclipRatio ?? DEFAULT_REGION_OPTIONS.unclipRatio),
    };
    this.session = new LazySession({ ...options, modelPath: options.modelPath ?? PADDLE_OCR_MODELS.detection }, 'TextDetector');
    this.where = this.session.where;
  }

  async call(rows: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const [index, row] of rows.entries()) {
      const regions = await this.detect(row, index);
      const { [this.imageColumn]: image, ...rest } = row;
      out.push({ ...(this.options.dropImage ? rest : { ...rest, [this.imageColumn]: image }), [DETECTED_COLUMN]: regions });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  /** The image's lines; null for a row without an image, which TextRecognizer passes through with its text as it is. */
  private async detect(row: Record<string, unknown>, index: number): Promise<DetectedRegions | null> {
    const value = row[this.imageColumn];
    if (value === null || value === undefined) return null;
    let image;
    try {
      image = await toRgbImage(value as ImageInput);
    } catch (error) {
      throw new OcrImageError(this.where, this.imageColumn, index, row, (error as Error).message, { cause: error });
    }
    // The image decoded first: a job failing on a bad image ends an actor that is not loading its model.
    const session = await this.session.get();
    const input = detectionInput(image, this.maxSide);
    const tensor = new ort.Tensor('float32', input.data, [1, 3, input.height, input.width]);
    const results = await session.run({ [session.inputNames[0]]: tensor });
    const map = results[session.outputNames[0]];
    const probability = map.data as Float32Array;
    tensor.dispose();
    const regions = textRegions(probability, input.width, input.height, this.regionOptions);
    map.dispose();
    // Boxes from the detector's pixels to the image's.
    const lines = regions.map(({ rect, score }) => {
      const scaled = {
        cx: rect.cx * input.scaleX,
        cy: rect.cy * input.scaleY,
        width: rect.width * Math.hypot(Math.cos(rect.angle) * input.scaleX, Math.sin(rect.angle) * input.scaleY),
        height: rect.height * Math.hypot(Math.sin(rect.angle) * input.scaleX, Math.cos(rect.angle) * input.scaleY),
        angle: Math.atan2(Math.sin(rect.angle) * input.scaleY, Math.cos(rect.angle) * input.scaleX),
      };
      return { crop: cropLine(image, scaled, this.maxLineWidth), box: rectCorners(scaled).flat(), score };
    });
    return packRegions(lines);
  }
}

function positive(option: string, value: number): number {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw new InvalidOptionError(option, value, 'a number > 0');
  return value;
}

function fraction(option: string, value: number): number {
  if (!(typeof value === 'number' && value > 0 && value < 1)) throw new InvalidOptionError(option, value, 'a number between 0 and 1');
  return value;
}
