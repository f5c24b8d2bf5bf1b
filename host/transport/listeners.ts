// A tiny ordered listener set for transports: add returns its own remover, emit tolerates
// listeners that remove themselves while being called.
export class Listeners<A extends unknown[]> {
  readonly #set = new Set<(...args: A) => void>();
  add(fn: (...args: A) => void): () => void {
    this.#set.add(fn);
    return () => this.#set.delete(fn);
  }
  emit(...args: A): void {
    for (const fn of [...this.#set]) fn(...args);
  }
  clear(): void {
    this.#set.clear();
  }
}
