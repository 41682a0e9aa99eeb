import { useEffect, useState } from 'react'

// History routing: the server answers unknown non-API paths with index.html.
const listeners = new Set<() => void>()

let guard: (() => boolean) | null = null

/**
 * Asks `allow` before every in-app navigation (a form with unsaved changes); returns the function
 * that removes the guard. `allow` returning false keeps the page.
 */
export function setNavigationGuard(allow: () => boolean): () => void {
  guard = allow
  return () => {
    if (guard === allow) guard = null
  }
}

/** Goes to an app path without reloading (`force`: even past a guard, e.g. after saving). */
export function navigate(to: string, opts: { replace?: boolean; force?: boolean } = {}): void {
  if (!opts.force && guard && !guard()) return
  if (opts.replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  window.scrollTo(0, 0)
  listeners.forEach((l) => l())
}

/** The current location (path + search), re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0)
  useEffect(() => {
    const update = () => setTick((t) => t + 1)
    listeners.add(update)
    window.addEventListener('popstate', update)
    return () => {
      listeners.delete(update)
      window.removeEventListener('popstate', update)
    }
  }, [])
  return { path: window.location.pathname, search: new URLSearchParams(window.location.search) }
}

/** Matches `/runs/:id` against a path; returns the params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean)
  const a = path.split('/').filter(Boolean)
  if (p.length !== a.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < p.length; i += 1) {
    const seg = p[i]!
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(a[i]!)
    else if (seg !== a[i]) return null
  }
  return params
}
