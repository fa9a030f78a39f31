import { createCanvas, loadImage, type Image } from '@napi-rs/canvas';

/** Pixels as the OCR stages use them: 8-bit RGB, rows top to bottom, no padding. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** An image to recognise: encoded bytes (PNG, JPEG, WebP, GIF, BMP) or raw pixels with their size. */
export type ImageInput =
  Uint8Array | { readonly pixels: Uint8Array; readonly width: number; readonly height: number; readonly channels?: 1 | 3 | 4 };

/** Decodes encoded bytes with @napi-rs/canvas (Skia's codecs), or takes raw pixels as RGB. Throws with what is wrong. */
export async function toRgbImage(input: ImageInput): Promise<RgbImage> {
  if (input instanceof Uint8Array) return decodeImage(input);
  const { pixels, width, height } = input;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new Error(`raw pixels need a positive whole width and height (got ${width}x${height})`);
  const channels = input.channels ?? pixels.length / (width * height);
  if (channels !== 1 && channels !== 3 && channels !== 4)
    throw new Error(`raw pixels: ${pixels.length} bytes do not make ${width}x${height} pixels of 1, 3 or 4 channels`);
  if (pixels.length !== width * height * channels)
    throw new Error(`raw pixels: ${pixels.length} bytes, but ${width}x${height}x${channels} needs ${width * height * channels}`);
  return { width, height, data: channels === 3 ? pixels : toRgb(pixels, channels) };
}

async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  let image: Image;
  try {
    image = await loadImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new Error(
      `the image cannot be decoded (${error instanceof Error ? error.message : String(error)}): not PNG, JPEG, WebP, GIF or BMP, or damaged`,
      { cause: error },
    );
  }
  const { width, height } = image;
  if (!(width > 0 && height > 0)) throw new Error('the image cannot be decoded: not PNG, JPEG, WebP, GIF or BMP, or damaged');
  const context = createCanvas(width, height).getContext('2d');
  context.drawImage(image, 0, 0);
  return { width, height, data: toRgb(context.getImageData(0, 0, width, height).data, 4) };
}

function toRgb(pixels: ArrayLike<number>, channels: 1 | 4): Uint8Array {
  const count = pixels.length / channels;
  const rgb = new Uint8Array(count * 3);
  if (channels === 1) {
    for (let i = 0, o = 0; i < count; i++, o += 3) rgb[o] = rgb[o + 1] = rgb[o + 2] = pixels[i];
    return rgb;
  }
  // Transparent pixels over white, as a page is.
  for (let i = 0, s = 0, o = 0; i < count; i++, s += 4, o += 3) {
    const alpha = pixels[s + 3] / 255;
    rgb[o] = pixels[s] * alpha + 255 * (1 - alpha);
    rgb[o + 1] = pixels[s + 1] * alpha + 255 * (1 - alpha);
    rgb[o + 2] = pixels[s + 2] * alpha + 255 * (1 - alpha);
  }
  return rgb;
}
