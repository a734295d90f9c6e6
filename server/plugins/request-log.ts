/**
 * One log line per request, with the query string's values and every header left out: tokens never
 * reach the logs, whatever a client puts in the URL (SPEC §11.6). Fastify's own request logging is off
 * (`disableRequestLogging` in app.ts) because it logs the raw URL.
 */
import fp from 'fastify-plugin';

/** `/v1/events?since=3&access_token=x` → `/v1/events?since=[redacted]&access_token=[redacted]`. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const keys = url
    .slice(mark + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0] ?? ''}=[redacted]`);
  return `${url.slice(0, mark)}?${keys.join('&')}`;
}

export const requestLogPlugin = fp(
  async (app) => {
    app.addHook('onResponse', async (request, reply) => {
      request.log.info(
        {
          method: request.method,
          url: redactUrl(request.url),
          statusCode: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    });
  },
  { name: 'blockline-request-log' },
);
