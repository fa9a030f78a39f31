import { InvalidOptionError } from 'sluice';

/** Option checks that name the option, the value received and what is expected. */
export function positiveNumber(option: string, value: unknown, max = Infinity): number {
  if (typeof value !== 'number' || !(value > 0 && value <= max))
    throw new InvalidOptionError(option, value, max === Infinity ? 'a number > 0' : `a number > 0 and <= ${max}`);
  return value;
}

export function positiveInteger(option: string, value: unknown): number {
  if (!(Number.isInteger(value) && (value as number) >= 1)) throw new InvalidOptionError(option, value, 'a whole number >= 1');
  return value as number;
}

export function seconds(option: string, value: unknown): number | null {
  if (value === undefined) return null;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))
    throw new InvalidOptionError(option, value, 'seconds, a number >= 0');
  return value;
}

export function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new InvalidOptionError(option, value, allowed.map((a) => `'${a}'`).join(' or '));
  return value as T;
}
