import { useCallback, useEffect, useRef, useState } from 'react'
import { errorMessage, type Page } from './api'

/** Loads something when `deps` change; exposes data, error, loading and reload. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true })
  const gen = useRef(0)
  const run = useCallback(async () => {
    const mine = ++gen.current
    setState((s) => ({ ...s, loading: true }))
    try {
      const data = await load()
      if (mine === gen.current) setState({ data, loading: false })
    } catch (err) {
      if (mine === gen.current) setState((s) => ({ data: s.data, error: errorMessage(err), loading: false }))
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps are the list, as with useEffect; `load` is a new closure each render and is read only when they change
  }, deps)
  useEffect(() => {
    void run()
  }, [run])
  return { ...state, reload: run }
}

/** A cursor-paginated list with "Load more"; restarts when `deps` change. */
export function usePagedList<T>(load: (cursor: string | undefined) => Promise<Page<T>>, deps: readonly unknown[]) {
  const [items, setItems] = useState<T[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | undefined>()
  const gen = useRef(0)

  const fetchPage = useCallback(async (after: string | undefined, append: boolean) => {
    const mine = ++gen.current
    setLoading(true)
    setError(undefined)
    try {
      const page = await load(after)
      if (mine !== gen.current) return
      setItems((prev) => (append ? [...prev, ...(page.data ?? [])] : page.data ?? []))
      setCursor(page.next_cursor ?? null)
    } catch (err) {
      if (mine === gen.current) setError(errorMessage(err))
    } finally {
      if (mine === gen.current) setLoading(false)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps are the list, as with useEffect; `load` is a new closure each render and is read only when they change
  }, deps)

  useEffect(() => {
    void fetchPage(undefined, false)
  }, [fetchPage])
  // Stable while deps are unchanged, so a page can name it in an effect's list (RunsPage polls with it).
  const reload = useCallback(() => fetchPage(undefined, false), [fetchPage])

  return {
    items, loading, error, hasMore: cursor !== null,
    loadMore: () => (cursor ? fetchPage(cursor, true) : Promise.resolve()),
    reload,
  }
}
