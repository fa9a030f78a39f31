import { randomBytes } from 'node:crypto';

/** A new run id: a UTC timestamp (ids sort by time) and a random part. */
export function newRunId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}
