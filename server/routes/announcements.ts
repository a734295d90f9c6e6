/**
 * The org's own announcements (SPEC §12.5). PUT takes the audio file itself as the body (WAV, MP3 or
 * Ogg Vorbis/Opus, by its Content-Type, at most 5 MB: this route's own body limit); GET answers the WAV the apps
 * play; DELETE goes back to the built-in one. Admins and leads replace them — the recording speaks for
 * the org to every blocked caller, so agents may not even when `whoCanManage` is `everyone`.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ANNOUNCEMENT_AUDIO_TYPE,
  ANNOUNCEMENT_MAX_BYTES,
  ANNOUNCEMENT_MAX_MS,
  ANNOUNCEMENT_SAMPLE_RATE,
  ANNOUNCEMENT_UPLOAD_TYPES,
  uploadFormatOf,
} from '../../shared/announcements';
import {
  announcementParamsSchema,
  announcementResponseSchema,
  apiRoutes,
  errorEnvelopeSchema,
} from '../../shared/contracts/api';
import { TARGET_LEVEL_DBFS } from '../announcement-audio';
import { announcementAudio, replaceAnnouncement, revertAnnouncement } from '../announcements-service';
import { ApiError, forbidden, notFound } from '../errors';
import { actorOf, userOf } from '../plugins/auth';
import type { AuthenticatedUser } from '../repository';
import { ERROR_RESPONSES, mount } from './common';

function requireAdminOrLead(request: FastifyRequest): AuthenticatedUser {
  const user = userOf(request);
  if (user.role !== 'admin' && user.role !== 'lead')
    throw forbidden("only admins and leads may change the org's announcements");
  return user;
}

const unsupported = (contentType: string | undefined) =>
  new ApiError(
    415,
    'unsupported_media_type',
    `the body must be a WAV, MP3, Ogg Vorbis or Ogg Opus file sent with its Content-Type (${ANNOUNCEMENT_UPLOAD_TYPES.join(
      ', ',
    )}); got ${contentType === undefined || contentType === '' ? 'none' : contentType}`,
  );

const PUT_DESCRIPTION =
  `The body is a WAV, MP3, Ogg Vorbis or Ogg Opus file of at most ${ANNOUNCEMENT_MAX_BYTES / 1024 / 1024} MB, ` +
  'sent with its Content-Type; an Ogg file’s codec is read from its first page. The server decodes it, ' +
  `mixes it to mono, resamples it to ${ANNOUNCEMENT_SAMPLE_RATE / 1000} kHz and brings it to ` +
  `${TARGET_LEVEL_DBFS} dBFS. Refusals: 415 for another type, 413 for a larger body, 400 ` +
  `\`audio_too_long\` (inbound over ${ANNOUNCEMENT_MAX_MS.inbound / 1000} s, outbound over ` +
  `${ANNOUNCEMENT_MAX_MS.outbound / 1000} s), 400 \`invalid_audio\` (undecodable, damaged, silent, or an ` +
  'Ogg codec such as Speex or FLAC that is not supported; `details.reason` and `details.codec` say which).';

export const announcementRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, writeLimit, readLimit } = app.blockline;

  // Audio bodies arrive as bytes; only inside this plugin (Fastify encapsulation), so no other route
  // accepts them.
  app.addContentTypeParser(
    [...ANNOUNCEMENT_UPLOAD_TYPES],
    { parseAs: 'buffer', bodyLimit: ANNOUNCEMENT_MAX_BYTES },
    (_request, body, done) => done(null, body),
  );
  // Any other type (Fastify would answer its own 415) gets the contract's envelope with the accepted list.
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: ANNOUNCEMENT_MAX_BYTES },
    (request, _body, done) => done(unsupported(request.headers['content-type']), undefined),
  );

  app.route({
    ...mount(apiRoutes.putAnnouncement),
    config: writeLimit,
    bodyLimit: ANNOUNCEMENT_MAX_BYTES,
    schema: {
      summary: 'Replace an announcement with the org’s own recording (the body is the audio file)',
      description: PUT_DESCRIPTION,
      params: announcementParamsSchema,
      // The body is the audio file itself, not JSON; the content-type parsers above read it.
      body: z.unknown(),
      response: {
        200: announcementResponseSchema,
        413: errorEnvelopeSchema,
        415: errorEnvelopeSchema,
        ...ERROR_RESPONSES,
      },
    },
    handler: async (request) => {
      const user = requireAdminOrLead(request);
      const format = uploadFormatOf(request.headers['content-type']);
      const body: unknown = request.body;
      if (format === null || !(body instanceof Uint8Array))
        throw unsupported(request.headers['content-type']);
      if (body.length === 0)
        throw new ApiError(400, 'invalid_audio', 'the body is empty', { reason: 'empty' });
      const { kind } = request.params;
      const info = await replaceAnnouncement(store, user.orgId, kind, { bytes: body, format }, actorOf(user));
      return { kind, ...info };
    },
  });

  app.route({
    ...mount(apiRoutes.getAnnouncement),
    config: readLimit,
    // WAV barely compresses; sent as it is.
    compress: false,
    schema: {
      summary: 'The audio the apps play for an announcement (16 kHz mono WAV); 404 while built-in',
      params: announcementParamsSchema,
      response: {
        200: z.unknown().describe('the audio, audio/wav'),
        304: z.null().describe('not modified (If-None-Match named this version)'),
        ...ERROR_RESPONSES,
      },
    },
    handler: async (request, reply) => {
      const { kind } = request.params;
      const clip = await announcementAudio(store, userOf(request).orgId, kind);
      if (clip === null)
        throw notFound(`an org recording of the ${kind} announcement (the built-in one is in use)`);
      const etag = `"${clip.info.version}"`;
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      reply.header('x-announcement-version', clip.info.version);
      if (request.headers['if-none-match'] === etag) return reply.status(304).send(null);
      return reply.type(ANNOUNCEMENT_AUDIO_TYPE).send(Buffer.from(clip.audio));
    },
  });

  app.route({
    ...mount(apiRoutes.deleteAnnouncement),
    config: writeLimit,
    schema: {
      summary: 'Go back to the built-in announcement',
      params: announcementParamsSchema,
      response: { 204: z.null().describe('the built-in announcement is in use'), ...ERROR_RESPONSES },
    },
    handler: async (request, reply) => {
      const user = requireAdminOrLead(request);
      await revertAnnouncement(store, user.orgId, request.params.kind, actorOf(user));
      return reply.status(204).send(null);
    },
  });
};
