/**
 * The page's Content-Security-Policy, one builder for both hosts that serve the renderer: Electron's
 * main process and the browser host. Pure (strings only), so it lives in shared/ where both may import it.
 */

export interface CspOptions {
  /** The Vite dev server's origin in development (its HMR needs a WebSocket to it). */
  devServerOrigin?: string;
  /** Extra connect-src sources, e.g. the browser host's own ws:// origin. */
  extraConnectSources?: string[];
}

/**
 * A strict Content-Security-Policy: scripts only from the app itself (no inline, no eval), nothing
 * framed, no plugins. connect-src allows wss: (the PBX's SIP WebSocket can be any host) and ws: to
 * loopback only (a local lab PBX); the org server is reached by the main process, not the page.
 * No IPv6 literal (`ws://[::1]:*`): CSP's host-source grammar has no brackets, so Chromium rejects
 * it with a console error on every page load; the browser host and the lab bind 127.0.0.1 anyway.
 */
export function buildContentSecurityPolicy(options: CspOptions = {}): string {
  const self = "'self'";
  const devOrigin = options.devServerOrigin;
  const devSocket = devOrigin === undefined ? [] : [devOrigin.replace(/^http/, 'ws')];
  const directives: Array<[string, string[]]> = [
    ['default-src', [self]],
    ['script-src', devOrigin === undefined ? [self] : [self, devOrigin]],
    ['style-src', devOrigin === undefined ? [self] : [self, "'unsafe-inline'"]],
    ['img-src', [self, 'data:', 'blob:']],
    ['font-src', [self, 'data:']],
    ['media-src', [self, 'blob:', 'data:', 'mediastream:']],
    [
      'connect-src',
      [
        self,
        'wss:',
        'ws://127.0.0.1:*',
        'ws://localhost:*',
        ...(devOrigin === undefined ? [] : [devOrigin]),
        ...devSocket,
        ...(options.extraConnectSources ?? []),
      ],
    ],
    ['worker-src', [self, 'blob:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}
