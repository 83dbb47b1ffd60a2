// Build of the stad dashboard: `npx vite build` writes web/dist/, which `stad serve
// --web web/dist` serves. Asset paths are relative so the dashboard also works behind
// a reverse proxy under a sub-path. `npx vite` starts a dev server that forwards /api
// to a running `stad serve` (STAD_API, default http://127.0.0.1:8080).
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
    // The design-token CSS is large; its transform time is no news.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: {
    proxy: {
      '/api': process.env.STAD_API || 'http://127.0.0.1:8080',
    },
  },
});
