/** Worker functions of trivial-job-udf.ts (a module with no job at its top level). */
import { udf } from '../src/index.js';

export function square(row: { id: number }): { id: number; square: number } {
  return { id: row.id, square: row.id * row.id };
}

export function multipleOfThree(row: { square: number }): boolean {
  return row.square % 3 === 0;
}

export const squareUdf = udf(import.meta.url, square);
export const multipleOfThreeUdf = udf(import.meta.url, multipleOfThree);
