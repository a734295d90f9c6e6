/**
 * The harness page for the phone core: bundled with esbuild into a temp dir, served on 127.0.0.1, and
 * opened in Debian's Chromium with the flags a loopback-only network namespace needs
 * (see /work/shared/notes/sip-lab.md).
 */
import { build, type Plugin } from 'esbuild';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { memoizePegDecode, SIPJS_GRAMMAR_PATH } from '../../renderer/phone/sipjs-parser-cache';
import { LAB_DIR } from './lab';

const REPO_ROOT = resolve(LAB_DIR, '..', '..');
export const ANNOUNCEMENT_DIR = join(REPO_ROOT, 'renderer', 'public', 'audio');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--no-first-run',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

/** The same sip.js parser fix the product build applies (renderer/phone/sipjs-parser-cache.ts). */
const sipJsParserCache: Plugin = {
  name: 'sipjs-parser-cache',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: SIPJS_GRAMMAR_PATH }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      const patched = memoizePegDecode(code);
      if (patched === null) throw new Error(`sip.js grammar at ${args.path} has an unexpected shape`);
      return { contents: patched, loader: 'js' };
    });
  },
};

/** Bundles the harness page (and the audio clips it plays) into `outDir`. */
export async function buildHarness(outDir: string): Promise<void> {
  mkdirSync(join(outDir, 'audio'), { recursive: true });
  // The phone under test, and a plain sip.js caller for a second page.
  await build({
    entryPoints: [join(LAB_DIR, 'harness', 'harness.ts'), join(LAB_DIR, 'harness', 'caller.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    outdir: outDir,
    logLevel: 'silent',
    sourcemap: 'inline',
    plugins: process.env.BLOCKLINE_SIPJS_PARSER_CACHE === '0' ? [] : [sipJsParserCache],
  });
  copyFileSync(join(LAB_DIR, 'harness', 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(LAB_DIR, 'harness', 'caller.html'), join(outDir, 'caller.html'));
  for (const clip of ['blocked-inbound.wav', 'blocked-outbound.wav']) {
    copyFileSync(join(ANNOUNCEMENT_DIR, clip), join(outDir, 'audio', clip));
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wav': 'audio/wav',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` read-only on 127.0.0.1 (a free port). */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const root = resolve(dir);
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** The Chromium flag that makes every fake microphone play `wavPath` (a sox-made tone) instead of its beep. */
export function fakeMicrophoneArg(wavPath: string): string {
  return `--use-file-for-fake-audio-capture=${wavPath}`;
}

/** Debian's Chromium with the lab's flags; `extraArgs` e.g. `fakeMicrophoneArg(…)`. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}
