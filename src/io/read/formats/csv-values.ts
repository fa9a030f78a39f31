import { Bool, Float64, Type, Utf8, type DataType } from 'apache-arrow';

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;

/**
 * The type of a CSV column from its texts: Float64 when every non-empty value is a number,
 * Bool when every one is true/false, Utf8 otherwise. Inferring per column (not per value)
 * keeps a column of zip codes with one "N/A" a column of strings rather than an error.
 */
export function inferCsvType(texts: readonly string[]): DataType {
  let numbers = true;
  let booleans = true;
  for (const text of texts) {
    if (text === '') continue;
    numbers &&= NUMBER.test(text);
    booleans &&= BOOLEAN.test(text);
    if (!numbers && !booleans) return new Utf8();
  }
  if (numbers && !texts.every((t) => t === '')) return new Float64();
  return booleans && !numbers ? new Bool() : new Utf8();
}

/** A CSV text as a value of the given type; empty text is null. Throws a message when the text does not fit. */
export function csvValue(text: string, type: DataType): unknown {
  if (text === '') return null;
  switch (type.typeId) {
    case Type.Float:
      if (!NUMBER.test(text)) throw new Error(`'${text}' is not a number`);
      return Number(text);
    case Type.Int:
      if (!/^[-+]?\d+$/.test(text)) throw new Error(`'${text}' is not a whole number`);
      return (type as DataType<Type.Int> & { bitWidth: number }).bitWidth === 64 ? BigInt(text) : Number(text);
    case Type.Bool:
      if (!BOOLEAN.test(text)) throw new Error(`'${text}' is not true or false`);
      return text.toLowerCase() === 'true';
    case Type.Utf8:
    case Type.LargeUtf8:
      return text;
    default:
      throw new Error(`CSV values cannot be read as ${String(type)}; read the column as a string (Utf8) and convert it in a map`);
  }
}
