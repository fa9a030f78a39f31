/** A short JSON rendering of a row: vectors and bytes summarised, bigints as strings. */
export function preview(row: unknown): string {
  const text = JSON.stringify(row, (_key, value: unknown) => {
    if (typeof value === 'bigint') return `${value}n`;
    if (ArrayBuffer.isView(value)) return `<${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})>`;
    return value;
  });
  return text === undefined ? String(row) : text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
