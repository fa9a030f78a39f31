import type { RgbImage } from '../image/rgb-image.js';
import type { DecodedLine } from './ctc-decode.js';

/** Latin letters and digits (with their accented forms): the scripts that separate words by spaces. */
const LATIN = /[\p{Script=Latin}0-9]/u;
/** Input pixels per output step of PP-OCRv4's recogniser (its width is downsampled 8 times). */
const PIXELS_PER_STEP = 8;

/**
 * A decoded line as text. PP-OCRv4's recogniser was trained mostly on Chinese, where lines have
 * no spaces, and it emits one in English only now and then ("receiptforyourrecords"), the more
 * seldom the more the line is padded in its run. Where a character sits in the output survives
 * decoding, and a word space is a gap in the ink: in a line written mostly in Latin letters,
 * between two characters the model did not separate, a run of blank pixel columns in the crop at
 * least `minSpace` of the line's height wide becomes a space. On Liberation Sans lines and on
 * Debian manual pages at 150 dpi, word overlap with the true text peaks for minSpace 0.15-0.25
 * (0.97 and 0.94-0.955 at 0.2, against 0.56 and 0.90-0.94 at 0.125, and 0.83 on the drawn lines
 * at 0.3). Spaces the model emits are kept; full-width forms (its Chinese punctuation, "，" "：") become
 * their ASCII ones there.
 */
export function lineText({ chars, steps }: DecodedLine, crop: RgbImage, minSpace: number): string {
  if (chars.length === 0) return '';
  const latin = chars.filter((c) => LATIN.test(c)).length;
  if (latin * 2 < chars.length) return chars.join('').trim();
  const ink = inkColumns(crop);
  const minRun = minSpace * crop.height;
  let text = chars[0];
  for (let i = 1; i < chars.length; i++) {
    let space = false;
    if (chars[i] !== ' ' && chars[i - 1] !== ' ') {
      // Between the two characters' output steps (at their centres), the longest blank run.
      const from = steps[i - 1] * PIXELS_PER_STEP + PIXELS_PER_STEP / 2;
      const to = Math.min(crop.width, steps[i] * PIXELS_PER_STEP + PIXELS_PER_STEP / 2);
      let run = 0;
      for (let x = from; x < to && !space; x++) {
        run = ink[x] ? 0 : run + 1;
        space = run >= minRun;
      }
    }
    text += (space ? ' ' : '') + chars[i];
  }
  return text.normalize('NFKC').replace(/ {2,}/g, ' ').trim();
}

/**
 * Which pixel columns of a crop hold ink: a pixel is ink when it stands out from the crop's
 * background (its median grey) by 40% of the contrast to its darkest 2% (at least 24 levels),
 * so light scans and inverted captions both work.
 */
function inkColumns({ width, height, data }: RgbImage): Uint8Array {
  const grey = new Uint8Array(width * height);
  const histogram = new Uint32Array(256);
  for (let i = 0; i < grey.length; i++) {
    const g = (data[i * 3] + data[i * 3 + 1] + data[i * 3 + 2]) / 3;
    grey[i] = g;
    histogram[grey[i]]++;
  }
  const quantile = (q: number) => {
    let seen = 0;
    for (let level = 0; level < 256; level++) if ((seen += histogram[level]) >= q * grey.length) return level;
    return 255;
  };
  const background = quantile(0.5);
  // Ink lies on the side of the background where the far tail is.
  const dark = quantile(0.02);
  const light = quantile(0.98);
  const extreme = background - dark >= light - background ? dark : light;
  const threshold = Math.max(24, 0.4 * Math.abs(background - extreme));
  const columns = new Uint8Array(width);
  for (let x = 0; x < width; x++)
    for (let y = 0; y < height; y++)
      if (Math.abs(grey[y * width + x] - background) > threshold) {
        columns[x] = 1;
        break;
      }
  return columns;
}
