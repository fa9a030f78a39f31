/**
 * What a thread loads once and keeps, by key: a module's export, a UDF a factory made. One
 * promise per key; a failed one is dropped, so that a retry tries again.
 */
export class LoadedOnce<T> {
  private readonly loading = new Map<string, Promise<T>>();

  get(key: string, load: () => Promise<T>): Promise<T> {
    let pending = this.loading.get(key);
    if (pending === undefined) {
      pending = load();
      this.loading.set(key, pending);
      pending.catch(() => this.loading.delete(key));
    }
    return pending;
  }
}
