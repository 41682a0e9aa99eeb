import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// Built into ../dist/web; the Recoup server serves it at / with an SPA fallback.
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // No source maps in the build: they would be served publicly with the dashboard.
    sourcemap: false,
  },
  server: {
    // `npm run dev` talks to a locally running `recoup start`.
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
})
