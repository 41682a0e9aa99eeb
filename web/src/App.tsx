import { useEffect, useState } from 'react'
import { session, setUnauthorizedHandler } from './lib/api'
import { SignIn } from './pages/SignIn'
import { Layout } from './components/Layout'
import { Routes } from './Routes'

/** Shows sign-in until there is an API key in the session; a 401 anywhere brings it back. */
export function App() {
  const [key, setKey] = useState<string | null>(() => session.get())
  const [message, setMessage] = useState<string | null>(null)

  useEffect(() => {
    setUnauthorizedHandler((msg) => {
      session.clear()
      setMessage(msg)
      setKey(null)
    })
  }, [])

  if (!key) {
    return (
      <SignIn
        message={message}
        onSignedIn={(k) => {
          session.set(k)
          setMessage(null)
          setKey(k)
        }}
      />
    )
  }
  return (
    <Layout
      onSignOut={() => {
        session.clear()
        setMessage('You have signed out.')
        setKey(null)
      }}
    >
      <Routes />
    </Layout>
  )
}
