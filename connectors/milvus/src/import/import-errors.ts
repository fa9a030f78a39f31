import { SluiceError } from 'sluice';

/**
 * Rows that an import file cannot carry for the collection: a column missing or extra, a
 * vector of the wrong length, a null where the field takes none. Says which field, which row
 * of the batch (with its primary key when there is one) and how to fix the data.
 */
export class ImportRowsError extends SluiceError {
  override name = 'ImportRowsError';
}

/** An import job Milvus reported as failed, with its reason verbatim and the files it was given. */
export class ImportJobError extends SluiceError {
  override name = 'ImportJobError';
  constructor(
    readonly collection: string,
    readonly jobId: string,
    readonly reason: string,
    readonly files: readonly string[],
  ) {
    const shown = files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`;
    super(`import job ${jobId} into collection '${collection}' failed: ${reason} (files: ${shown})`);
  }
}

/** A rerun that cannot tell from its manifest whether a job was submitted; says what to check. */
export class ImportResumeError extends SluiceError {
  override name = 'ImportResumeError';
}
