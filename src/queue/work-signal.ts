/**
 * "New work may be due now": told by ingest and the runs service when they commit, heard by
 * whatever runs the jobs (a scheduler, the engine thread). Built before both, so neither needs
 * the other to exist first.
 */
export class WorkSignal {
  readonly #listeners = new Set<() => void>()

  /** Tells every listener. */
  notify(): void {
    for (const l of this.#listeners) l()
  }

  /** Adds a listener; returns its removal. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
