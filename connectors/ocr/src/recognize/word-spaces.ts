import type { DecodedLine } from './ctc-decode.js';

/** Latin letters and digits (with their accented forms): the scripts that separate words by spaces. */
const LATIN = /[\p{Script=Latin}0-9]/u;

/**
 * A decoded line as text. PP-OCRv4's recogniser was trained mostly on Chinese, where lines have
 * no spaces, and it seldom emits one in English ("nameofafile"). Each character's position in
 * the output survives decoding, though, and a word space shows there as a wider step between two
 * characters: in a line written mostly in Latin letters, a step at least `spaceFactor` times the
 * line's median step (the usual advance of one letter) becomes a space. Spaces the model emits
 * are kept. Full-width forms (its Chinese punctuation, "，" "：") become their ASCII ones there.
 */
export function lineText({ chars, steps }: DecodedLine, spaceFactor: number): string {
  if (chars.length === 0) return '';
  const latin = chars.filter((c) => LATIN.test(c)).length;
  if (latin * 2 < chars.length) return chars.join('').trim();
  const advances: number[] = [];
  for (let i = 1; i < chars.length; i++) if (chars[i] !== ' ' && chars[i - 1] !== ' ') advances.push(steps[i] - steps[i - 1]);
  const usual = median(advances);
  let text = chars[0];
  for (let i = 1; i < chars.length; i++) {
    const space = chars[i] !== ' ' && chars[i - 1] !== ' ' && usual > 0 && steps[i] - steps[i - 1] >= usual * spaceFactor;
    text += (space ? ' ' : '') + chars[i];
  }
  return text.normalize('NFKC').replace(/ {2,}/g, ' ').trim();
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
