/** A small client for the Recoup API, used by the CLI commands that talk to a running server. */
export class ApiClient {
  readonly #base: string
  readonly #key: string | undefined

  constructor(options: { url: string; key?: string }) {
    this.#base = options.url.replace(/\/+$/, '')
    this.#key = options.key
  }

  /** Calls the API; throws with the problem's detail and field errors on a 4xx/5xx. */
  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    let res: Response
    try {
      res = await fetch(`${this.#base}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.#key ? { authorization: `Bearer ${this.#key}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (err) {
      throw new Error(`Cannot reach Recoup at ${this.#base} (${(err as Error).cause ?? (err as Error).message}). Is it running? Set RECOUP_URL or --url.`)
    }
    const text = await res.text()
    const parsed: unknown = text ? JSON.parse(text) : null
    if (res.status >= 400 && !(res.status === 422 && path === '/v1/events')) {
      const p = parsed as { detail?: string; errors?: { path: string; message: string }[] } | null
      const lines = [`${res.status} ${p?.detail ?? text}`, ...(p?.errors ?? []).map((e) => `  ${e.path}: ${e.message}`)]
      if (res.status === 401) lines.push('  Set RECOUP_API_KEY (or --key) to a valid API key.')
      throw new Error(lines.join('\n'))
    }
    return { status: res.status, body: parsed }
  }

  /** GETs a resource; null when it does not exist (404). */
  async find(path: string): Promise<unknown> {
    try {
      return (await this.request('GET', path)).body
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('404 ')) return null
      throw err
    }
  }
}
