/** At most `limit` async tasks at once; the others wait in arrival order. */
export class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      // A waiting task takes over this slot, so the count stays as it is.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
