import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { sipJsParserCacheVitePlugin } from './renderer/phone/sipjs-parser-cache';

export default defineConfig({
  root: 'renderer',
  base: './',
  // sip.js's generated parser re-decodes its tables on every header; the plugin caches them, which took
  // the page's time per blocked INVITE from ≈ 20 ms to ≈ 4 ms in the lab (test/sip-lab/README.md).
  plugins: [react(), sipJsParserCacheVitePlugin()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: { host: '127.0.0.1', strictPort: false },
});
