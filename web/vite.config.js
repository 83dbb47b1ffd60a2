// Build of the stad dashboard: `npx vite build` writes web/dist/, which `stad serve
// --web web/dist` serves. Asset paths are relative so the dashboard also works behind
// a reverse proxy under a sub-path. `npx vite` starts a dev server that forwards /api
// to a running `stad serve` (STAD_API, default http://127.0.0.1:8080).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
    // The design-token CSS is large; its transform time is no news.
    // Vite 8 reads rolldownOptions (rollupOptions only when this is absent). Pages:
    // the dashboard, the enforcers' handheld page (docs/handheld.md) and the
    // social-domain page (docs/social-dashboard.md).
    rolldownOptions: {
      checks: { pluginTimings: false },
      input: { main: page('index.html'), handheld: page('handheld.html'), sociaal: page('sociaal.html') },
    },
  },
  server: {
    proxy: {
      '/api': process.env.STAD_API || 'http://127.0.0.1:8080',
    },
  },
});
