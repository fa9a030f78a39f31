import { SluiceError } from 'sluice';

/** An image OCR cannot read: not decodable, or raw pixels whose size does not add up. */
export class OcrImageError extends SluiceError {
  override name = 'OcrImageError';

  constructor(where: string, column: string, row: number, values: Record<string, unknown>, problem: string, options?: ErrorOptions) {
    const path =
      typeof values.path === 'string' ? ` (path ${values.path}${typeof values.page === 'number' ? `, page ${values.page}` : ''})` : '';
    super(
      `${where}: the image in column '${column}' of row ${row} of the batch${path} cannot be read: ${problem}. ` +
        `Give encoded image bytes (PNG, JPEG, WebP) or {pixels, width, height}, or run with onError: 'skip' to leave such rows out`,
      options,
    );
  }
}
