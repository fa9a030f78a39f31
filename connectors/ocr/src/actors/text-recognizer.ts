import { Field, Float32, List, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow';
import * as ort from 'onnxruntime-node';
import type { SessionSpec } from '@sluice/onnx';
import { InvalidOptionError } from 'sluice';
import { unpackRegions, type DetectedLine } from '../detected-regions.js';
import { PADDLE_OCR_MODELS, loadDictionary } from '../paddle-models.js';
import { readingOrder, type OcrLine } from '../reading-order.js';
import { ctcDecode } from '../recognize/ctc-decode.js';
import { recognitionInput } from '../recognize/recognition-input.js';
import { lineText } from '../recognize/word-spaces.js';
import { LazySession } from './lazy-session.js';
import { DETECTED_COLUMN } from './text-detector.js';

export interface TextRecognizerOptions extends Partial<SessionSpec> {
  /** The recogniser's dictionary (one character per line). Default: PP-OCRv4's, with the default model. */
  readonly dictionaryPath?: string;
  /** Column for the image's text, its lines in reading order. Default 'text'. */
  readonly textColumn?: string;
  /** Column for the lines: `{text, box, score}`. Default 'lines'. */
  readonly linesColumn?: string;
  /**
   * Line pixels per session run: lines of similar widths run together, padded to the widest,
   * as many as fit in this width summed. On CPU a run's cost per line grows with its size
   * (PP-OCRv4 at 1,600 px wide, one thread: 103 ms a line alone, 112 ms in pairs, 195 ms in
   * 24s), so the default, 1,600, runs a full-width line alone and short ones together (Debian
   * manual pages: 67 ms a line, against 78 ms with 3,200); on a GPU larger runs pay.
   */
  readonly runWidth?: number;
  /** Lines read with a lower mean character probability are dropped (PaddleOCR's drop_score). Default 0.5. */
  readonly minScore?: number;
  /** A blank gap at least this fraction of the line's height is a word space (Latin script; see lineText). Default 0.2. */
  readonly minSpace?: number;
}

/** `lines`: each line's text, corners (8 numbers) and mean character probability. */
const LINES_TYPE = new List(
  new Field(
    'item',
    new Struct([
      new Field('text', new Utf8(), false),
      new Field('box', new List(new Field('item', new Float32(), false)), false),
      new Field('score', new Float32(), false),
    ]),
    false,
  ),
);

/** PP-OCRv4's recogniser sees lines at least this wide (its training width). */
const MIN_WIDTH = 320;

/**
 * The second OCR stage, an actor class: the lines TextDetector found in every image of the batch
 * are recognised together, sorted by width and run `runWidth` pixels of lines at a time (not
 * one session call per line), decoded (CTC, word spaces recovered) and put back in reading
 * order, as `text` and `lines` on each row. A row that had no image keeps its own text (a PDF
 * page read from its text layer) with no lines.
 */
export class TextRecognizer {
  private readonly where: string;
  private readonly session: LazySession;
  private readonly dictionary: string[];
  private readonly runWidth: number;
  private readonly minScore: number;
  private readonly minSpace: number;

  constructor(private readonly options: TextRecognizerOptions = {}) {
    this.runWidth = whole('runWidth', options.runWidth ?? 1600);
    this.minScore = options.minScore ?? 0.5;
    if (!(this.minScore >= 0 && this.minScore < 1))
      throw new InvalidOptionError('minScore', options.minScore, 'a number from 0 to below 1');
    this.minSpace = options.minSpace ?? 0.2;
    if (!(this.minSpace > 0 && this.minSpace < 1)) throw new InvalidOptionError('minSpace', options.minSpace, 'a number between 0 and 1');
    const dictionaryPath = options.dictionaryPath ?? PADDLE_OCR_MODELS.dictionary;
    try {
      this.dictionary = loadDictionary(dictionaryPath);
    } catch (error) {
      throw new InvalidOptionError('dictionaryPath', dictionaryPath, `a readable dictionary file (${(error as Error).message})`);
    }
    this.session = new LazySession({ ...options, modelPath: options.modelPath ?? PADDLE_OCR_MODELS.recognition }, 'TextRecognizer');
    this.where = this.session.where;
  }

  /** An Arrow batch in, the same columns out less `textRegions`, plus the text and lines (typed even when no image has a line). */
  async call(batch: Table): Promise<Table> {
    const regions = batch.getChild(DETECTED_COLUMN);
    if (regions === null)
      throw new InvalidOptionError('batch', batch.schema.names, `a column '${DETECTED_COLUMN}' from TextDetector (run it first)`);
    const detected = Array.from({ length: batch.numRows }, (_, row) => unpackRegions(regions.get(row)));
    const all = detected.flatMap((lines, row) => lines.map((line) => ({ row, line })));
    const read =
      all.length === 0
        ? []
        : await this.recognize(
            await this.session.get(),
            all.map((item) => item.line),
          );
    const byRow: OcrLine[][] = detected.map(() => []);
    all.forEach(({ row, line }, i) => {
      if (read[i].score >= this.minScore && read[i].text !== '')
        byRow[row].push({ text: read[i].text, box: [...line.box], score: read[i].score });
    });
    const ordered = byRow.map((lines) => readingOrder(lines));
    // A row without an image (textRegions null) keeps the text it came with, if it has one.
    const textColumn = this.options.textColumn ?? 'text';
    const given = batch.getChild(textColumn);
    const texts = ordered.map((o, row) => (regions.get(row) === null && given !== null ? (given.get(row) as string | null) : o.text));
    const kept = batch.select(batch.schema.names.filter((name) => name !== DETECTED_COLUMN && name !== textColumn));
    return kept.assign(
      new Table({
        [textColumn]: vectorFromArray(texts, new Utf8()),
        [this.options.linesColumn ?? 'lines']: vectorFromArray(
          ordered.map((o) => o.lines),
          LINES_TYPE,
        ),
      }),
    );
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  /** Each line's text and score, in the order given; runs take lines of similar width together. */
  private async recognize(session: ort.InferenceSession, lines: readonly DetectedLine[]): Promise<{ text: string; score: number }[]> {
    const order = lines.map((_, i) => i).sort((a, b) => lines[a].crop.width - lines[b].crop.width);
    const out = new Array<{ text: string; score: number }>(lines.length);
    for (let start = 0; start < order.length;) {
      // Ascending widths: the run's last line is its widest, the width all are padded to.
      let end = start + 1;
      while (end < order.length && (end + 1 - start) * Math.max(MIN_WIDTH, lines[order[end]].crop.width) <= this.runWidth) end++;
      const run = order.slice(start, end);
      start = end;
      const input = recognitionInput(
        run.map((i) => lines[i].crop),
        MIN_WIDTH,
      );
      const tensor = new ort.Tensor('float32', input.data, [input.lines, 3, 48, input.width]);
      const results = await session.run({ [session.inputNames[0]]: tensor });
      tensor.dispose();
      const output = results[session.outputNames[0]];
      const [, steps, classes] = output.dims as number[];
      if (classes !== this.dictionary.length + 1)
        throw new InvalidOptionError(
          'dictionaryPath',
          this.options.dictionaryPath ?? PADDLE_OCR_MODELS.dictionary,
          `a dictionary of ${classes - 1} characters for this model (it has ${this.dictionary.length})`,
        );
      const probabilities = output.data as Float32Array;
      run.forEach((index, k) => {
        const decoded = ctcDecode(probabilities, k * steps * classes, steps, classes, this.dictionary);
        out[index] = { text: lineText(decoded, lines[index].crop, this.minSpace), score: decoded.score };
      });
      output.dispose();
    }
    return out;
  }
}

function whole(option: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new InvalidOptionError(option, value, 'a whole number >= 1');
  return value;
}
