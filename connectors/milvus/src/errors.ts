import { SluiceError } from 'sluice';

/** Where in a write a row was: its batch (the `write` call), its index in that batch, and its primary key when it has one. */
export interface MilvusRowLocation {
  readonly batch: number;
  readonly row: number;
  readonly primaryKey?: string | number;
}

function describeRow(at: MilvusRowLocation): string {
  const key = at.primaryKey === undefined ? '' : `, primary key ${JSON.stringify(at.primaryKey)}`;
  return `row ${at.row} of batch ${at.batch}${key}`;
}

/**
 * A row that does not fit the collection's schema (a vector of the wrong dimension, a value of
 * the wrong type, a VarChar over max_length, a missing field, a null in a field that is not
 * nullable, a column the collection has no field for). Found before anything of its batch is
 * sent, and never retried.
 */
export class MilvusSchemaError extends SluiceError {
  override name = 'MilvusSchemaError';
  constructor(
    readonly collection: string,
    readonly field: string,
    readonly at: MilvusRowLocation | null,
    problem: string,
    fix: string,
  ) {
    super(`Milvus collection '${collection}', field '${field}'${at ? `, ${describeRow(at)}` : ''}: ${problem}; ${fix}`);
  }
}

/**
 * A call to Milvus that failed: a gRPC error, or a response whose status is not Success. `code`
 * is Milvus's error code (or the gRPC status code when the call itself failed); `attempts`
 * counts the tries, retries included.
 */
export class MilvusRequestError extends SluiceError {
  override name = 'MilvusRequestError';
  constructor(
    readonly method: string,
    readonly collection: string,
    readonly code: number | string,
    readonly reason: string,
    readonly attempts: number,
    fix: string,
  ) {
    super(
      `Milvus ${method} on collection '${collection}' failed${attempts > 1 ? ` after ${attempts} attempts` : ''}: ` +
        `${reason} (code ${code}); ${fix}`,
    );
  }
}

/** Milvus answered a write with success but refused some of its rows (a partial `err_index`), or counted fewer rows than were sent. */
export class MilvusPartialWriteError extends SluiceError {
  override name = 'MilvusPartialWriteError';
  constructor(
    readonly collection: string,
    readonly refused: readonly MilvusRowLocation[],
    written: number,
    sent: number,
  ) {
    const shown = refused
      .slice(0, 5)
      .map((at) => describeRow(at))
      .join('; ');
    super(
      `Milvus collection '${collection}' took ${written} of ${sent} rows of a request` +
        (refused.length ? `; it refused ${refused.length}: ${shown}${refused.length > 5 ? '; ...' : ''}` : '') +
        `; the write stopped. Look at the server's log for why, then rerun: with mode 'upsert' rows already written are replaced, not doubled`,
    );
  }
}
