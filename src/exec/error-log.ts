import { appendFile } from 'node:fs/promises';
import { redactSecrets } from '../observe/redact.js';
import type { SkippedInput } from '../tasks/task-outcome.js';

/** Appends one JSON line per skipped input (operator, input, rows, message, and the error's class and stack) to the job's error log. */
export class ErrorLog {
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly path: string | null) {}

  record(entries: readonly SkippedInput[]): void {
    if (this.path === null || entries.length === 0) return;
    const time = new Date().toISOString();
    // Messages and stacks quote errors, which may quote a secret (observe/redact.ts).
    const text = redactSecrets(
      entries
        .map((e) =>
          JSON.stringify({
            time,
            operator: e.operator,
            input: e.input,
            rows: e.rows,
            message: e.message,
            errorClass: e.error?.name,
            stack: e.error?.stack,
          }),
        )
        .join('\n') + '\n',
    );
    const path = this.path;
    this.writes = this.writes.then(() => appendFile(path, text));
  }

  flush(): Promise<void> {
    return this.writes;
  }
}
