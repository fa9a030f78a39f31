import { checkKnownOptions, InvalidOptionError } from '../errors.js';
import { positiveInteger } from '../api/map-options.js';

/** A chunk of a text, with where it stands: `source.slice(start, end) === text`. */
export interface TextSpan {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface SplitTextOptions {
  /** Largest chunk, in the unit `length` measures (characters by default). */
  readonly size: number;
  /** How much of a chunk's end the next chunk repeats, in the same unit; less than `size`. Default 0. */
  readonly overlap?: number;
  /**
   * Where to cut, most preferred first: a piece too large is cut at the first separator
   * that occurs in it, and its parts too large at the next ones. `''` cuts between
   * characters. Default DEFAULT_SEPARATORS: paragraphs, lines, sentences, words, characters.
   */
  readonly separators?: readonly string[];
  /** Measures a piece of text, such as a token counter. Default: its length in UTF-16 code units, as JavaScript counts string offsets. */
  readonly length?: (text: string) => number;
}

export const DEFAULT_SEPARATORS: readonly string[] = Object.freeze(['\n\n', '\n', '. ', '? ', '! ', '。', '？', '！', ' ', '']);

/** splitText's option names; the record's type keeps them in step with SplitTextOptions. */
const SPLIT_OPTIONS: Record<keyof SplitTextOptions, true> = { size: true, overlap: true, separators: true, length: true };

/** A piece of the text, its measure, and the first separator that may still cut it. */
interface Piece {
  readonly start: number;
  readonly end: number;
  readonly size: number;
  readonly level: number;
}

/**
 * Cuts `text` into chunks of at most `size` (whenever a separator allows it), the way a
 * recursive character splitter does: the text is cut at paragraphs, the paragraphs too
 * large at lines, then sentences, words and characters, so that a chunk boundary falls
 * inside a paragraph only when the paragraph does not fit. The pieces are then packed
 * greedily into chunks (the parts of a piece that was cut fill the chunks around them too),
 * and each chunk starts with up to `overlap` of the previous one's end, taken from its last
 * pieces (cut as fine as words where a whole piece is too large to repeat).
 *
 * Chunks are trimmed of white space at both ends (their offsets point at the trimmed text),
 * so a text of only white space has no chunks; no other character is dropped: each one is
 * in at least one chunk. With a `length` other than characters, a chunk's measure is the
 * sum of its pieces' measures (exact for tokenizers that split at white space, close for
 * others). The same input always gives the same chunks.
 */
export function splitText(text: string, options: SplitTextOptions): TextSpan[] {
  checkKnownOptions('splitText', options, Object.keys(SPLIT_OPTIONS));
  const { size, overlap, separators, length } = splitSettings(options);
  const piece = (start: number, end: number, level: number): Piece => ({
    start,
    end,
    level,
    size: measure(length, text.slice(start, end)),
  });

  /** Cuts a piece at the first separator from its level on that occurs in it (or between characters); null when none does. */
  const cut = (p: Piece, characters: boolean): Piece[] | null => {
    const slice = text.slice(p.start, p.end);
    const level = separators.findIndex((separator, i) => i >= p.level && (separator === '' ? characters : slice.includes(separator)));
    if (level === -1) return null;
    const separator = separators[level];
    // Between characters (code points, never inside a surrogate pair), or after each separator:
    // a separator stays at the end of the piece before it, so the pieces put together are the text.
    const lengths =
      separator === ''
        ? [...slice].map((char) => char.length)
        : slice.split(separator).map((part, i, all) => part.length + (i < all.length - 1 ? separator.length : 0));
    const parts: Piece[] = [];
    let from = p.start;
    for (const length of lengths) {
      if (length > 0) parts.push(piece(from, from + length, level + 1));
      from += length;
    }
    return parts;
  };

  const fitting: Piece[] = [];
  const collect = (p: Piece): void => {
    const parts = p.size > size ? cut(p, true) : null;
    if (parts === null) fitting.push(p);
    else for (const part of parts) collect(part);
  };
  if (text.length > 0) collect(piece(0, text.length, 0));

  /**
   * The last pieces of `pieces` that together measure at most `budget`, cutting the first
   * one that is too large into words or larger pieces: an overlap does not start mid-word.
   */
  const tail = (pieces: readonly Piece[], budget: number): Piece[] => {
    const kept: Piece[] = [];
    for (let i = pieces.length - 1; i >= 0 && budget > 0; i--) {
      if (pieces[i].size > budget) {
        const finer = cut(pieces[i], false);
        if (finer !== null) kept.unshift(...tail(finer, budget));
        break;
      }
      kept.unshift(pieces[i]);
      budget -= pieces[i].size;
    }
    return kept;
  };

  const chunks: TextSpan[] = [];
  const emit = (pieces: readonly Piece[]): void => {
    const raw = text.slice(pieces[0].start, pieces.at(-1)!.end);
    const start = pieces[0].start + raw.length - raw.trimStart().length;
    const end = pieces.at(-1)!.end - (raw.length - raw.trimEnd().length);
    // A chunk that adds nothing but white space to the overlap it repeats would only repeat it.
    if (end > start && end > (chunks.at(-1)?.end ?? 0)) chunks.push({ text: text.slice(start, end), start, end });
  };
  let window: Piece[] = [];
  let total = 0;
  for (const p of fitting) {
    if (window.length > 0 && total + p.size > size) {
      emit(window);
      window = tail(window, Math.min(overlap, size - p.size));
      total = window.reduce((sum, w) => sum + w.size, 0);
    }
    window.push(p);
    total += p.size;
  }
  if (window.length > 0) emit(window);
  return chunks;
}

interface SplitSettings {
  readonly size: number;
  readonly overlap: number;
  readonly separators: readonly string[];
  readonly length: ((text: string) => number) | undefined;
}

/** Checks splitting options and fills in the defaults; chunkText checks them before any row is read. */
export function splitSettings(options: SplitTextOptions): SplitSettings {
  const size = positiveInteger('size', options.size);
  const overlap = options.overlap ?? 0;
  if (!(Number.isInteger(overlap) && overlap >= 0 && overlap < size)) {
    throw new InvalidOptionError('overlap', overlap, `a whole number >= 0 and below size (${size})`);
  }
  const separators = options.separators ?? DEFAULT_SEPARATORS;
  if (!Array.isArray(separators) || separators.length === 0 || !separators.every((s) => typeof s === 'string')) {
    throw new InvalidOptionError(
      'separators',
      separators,
      "a non-empty array of strings, most preferred first (end it with '' to allow cuts between characters)",
    );
  }
  if (options.length !== undefined && typeof options.length !== 'function') {
    throw new InvalidOptionError('length', options.length, 'a function from a text to its size (a token counter)');
  }
  return { size, overlap, separators, length: options.length };
}

function measure(length: ((text: string) => number) | undefined, text: string): number {
  if (length === undefined) return text.length;
  const n = length(text);
  if (!(Number.isFinite(n) && n >= 0))
    throw new TypeError(`the length function measured ${JSON.stringify(text.slice(0, 40))} as ${String(n)}; it must return a number >= 0`);
  return n;
}
