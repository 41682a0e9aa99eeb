import { matchPath, useLocation } from './lib/router'
import { WorkflowsPage } from './pages/WorkflowsPage'
import { WorkflowBuilder } from './pages/builder/WorkflowBuilder'
import { RunsPage } from './pages/RunsPage'
import { RunPage } from './pages/RunPage'
import { CustomersPage } from './pages/CustomersPage'
import { CustomerPage } from './pages/CustomerPage'
import { MessagesPage } from './pages/MessagesPage'
import { AnalyticsPage } from './pages/AnalyticsPage'
import { ProductsPage } from './pages/ProductsPage'
import { WebhookEndpointsPage } from './pages/WebhookEndpointsPage'
import { Link } from './components/Link'

/** Picks the page for the current path. */
export function Routes() {
  const { path, search } = useLocation()
  const m = (pattern: string) => matchPath(pattern, path)
  let p: Record<string, string> | null
  if (path === '/' || m('/workflows')) return <WorkflowsPage />
  if (m('/workflows/new')) return <WorkflowBuilder key="new" />
  if ((p = m('/workflows/:id'))) return <WorkflowBuilder key={p.id} id={p.id} />
  if (m('/runs')) return <RunsPage key={search.toString()} initial={search} />
  if ((p = m('/runs/:id'))) return <RunPage key={p.id} id={p.id!} />
  if (m('/customers')) return <CustomersPage key={search.toString()} initialTag={search.get('tag') ?? ''} />
  if ((p = m('/customers/:id'))) return <CustomerPage key={p.id} id={p.id!} />
  if (m('/messages')) return <MessagesPage key={search.toString()} initial={search} />
  if (m('/analytics')) return <AnalyticsPage />
  if (m('/products')) return <ProductsPage />
  if (m('/settings/webhooks') || m('/settings')) return <WebhookEndpointsPage />
  return (
    <div>
      <h1>Page not found</h1>
      <p>
        There is nothing at <code>{path}</code>. <Link to="/workflows">Go to workflows</Link>.
      </p>
    </div>
  )
}
