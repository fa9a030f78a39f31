/**
 * Where the next encoded image ends in bytes that ffmpeg's image2pipe muxer wrote back to back:
 * the length of the first complete image, or null while it is incomplete. `from` is where an
 * earlier call stopped scanning (returned in `resume`; SCAN_START for a new image), so bytes
 * are scanned once.
 */
export interface ImageEnd {
  readonly end: number | null;
  readonly resume: ScanState;
}

/** Where scanning stopped: the offset, and (for JPEG) whether it stopped inside entropy-coded data. */
export interface ScanState {
  readonly at: number;
  readonly inScan: boolean;
}

export const SCAN_START: ScanState = { at: 0, inScan: false };

/**
 * A JPEG: SOI, then marker segments (each with its length) up to the scan, then entropy-coded
 * data, where 0xFF is followed by 0x00 (a stuffed byte) or a restart marker, until EOI. Anything
 * else there is the next marker: a table or a further scan (progressive images), with its length.
 */
export function jpegEnd(bytes: Uint8Array, from: ScanState): ImageEnd {
  if (bytes.length < 2) return { end: null, resume: from };
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('the JPEG stream from ffmpeg does not start with an image (no SOI marker)');
  let at = Math.max(from.at, 2);
  let inScan = from.inScan;
  while (at + 1 < bytes.length) {
    if (bytes[at] !== 0xff) {
      if (!inScan) throw new Error(`the JPEG stream from ffmpeg is malformed at byte ${at} (a marker was expected)`);
      // Entropy-coded data: jump to the next 0xFF (native search, not a byte loop).
      const next = bytes.indexOf(0xff, at);
      if (next < 0) return { end: null, resume: { at: bytes.length, inScan } };
      at = next;
      continue;
    }
    const marker = bytes[at + 1];
    if (marker === 0xd9) return { end: at + 2, resume: SCAN_START };
    if (marker === 0x00 || marker === 0xff || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    // A segment with a length: stop before it when its length or body is not here yet.
    if (at + 4 > bytes.length) break;
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (at + 2 + length > bytes.length) break;
    inScan = marker === 0xda;
    at += 2 + length;
  }
  return { end: null, resume: { at, inScan } };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG: the signature, then chunks (length, type, data, CRC) up to IEND; only chunk headers are read. */
export function pngEnd(bytes: Uint8Array, from: ScanState): ImageEnd {
  if (bytes.length < 8) return { end: null, resume: from };
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error('the PNG stream from ffmpeg does not start with a PNG signature');
  let at = Math.max(from.at, 8);
  while (at + 8 <= bytes.length) {
    const length = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
    const end = at + 12 + length;
    const isEnd = bytes[at + 4] === 0x49 && bytes[at + 5] === 0x45 && bytes[at + 6] === 0x4e && bytes[at + 7] === 0x44;
    if (isEnd) return end <= bytes.length ? { end, resume: SCAN_START } : { end: null, resume: { at, inScan: false } };
    if (end > bytes.length) return { end: null, resume: { at, inScan: false } };
    at = end;
  }
  return { end: null, resume: { at, inScan: false } };
}
