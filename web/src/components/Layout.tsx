import { useEffect, useRef, type ReactNode } from 'react'
import { Link } from './Link'
import { useLocation } from '../lib/router'

const NAV = [
  ['/workflows', 'Workflows'],
  ['/runs', 'Runs'],
  ['/customers', 'Customers'],
  ['/messages', 'Messages'],
  ['/analytics', 'Analytics'],
  ['/products', 'Products'],
  ['/settings/webhooks', 'Webhooks'],
] as const

/** App chrome: skip link, navigation, sign-out, and the page in a <main>. */
export function Layout({ children, onSignOut }: { children: ReactNode; onSignOut: () => void }) {
  const { path } = useLocation()
  const main = useRef<HTMLElement>(null)
  const first = useRef(true)
  useEffect(() => {
    // Move focus to the page on navigation so keyboard and screen-reader users start at the top.
    if (first.current) first.current = false
    else main.current?.focus()
  }, [path])
  const current = (href: string) => path === href || path.startsWith(`${href}/`) || (href === '/workflows' && path === '/')
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <Link to="/workflows" className="brand">Recoup</Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <Link to={href} aria-current={current(href) ? 'page' : undefined}>{label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="btn btn-quiet signout" onClick={onSignOut}>Sign out</button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  )
}
