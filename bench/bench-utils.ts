/** What every benchmark prints and computes the same way: the machine, medians, number formats. */
import os from 'node:os';

export const CORES = os.availableParallelism();

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number; got ${raw}`);
  return value;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pad = (s: string, n: number): string => s.padEnd(n);
export const lpad = (s: string, n: number): string => s.padStart(n);

/** The header lines: benchmark name, date, machine and platform. */
export function printMachine(bench: string): void {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(bench);
  console.log(`date:     ${new Date().toISOString()}`);
  console.log(
    `machine:  ${CORES} cores (os.availableParallelism), ${os.cpus().length} logical CPUs, ${cpu}, ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB RAM`,
  );
  console.log(`platform: ${os.platform()} ${os.release()} ${os.arch()}, node ${process.version}`);
}
