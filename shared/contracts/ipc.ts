/**
 * The one typed contract between the app's main-process services and the renderer. Electron's preload
 * and the browser host's WebSocket bridge both expose exactly `BlocklineApi`; the main side validates
 * every argument against these schemas, so a channel name or argument shape that is not here is a
 * compile error on both ends and a refused call at run time.
 */
import { z } from 'zod';
import { ruleCreateInputSchema, rulePatchSchema, ruleSchema, e164Schema, isoDateTimeSchema } from '../rules';
import { orgSettingsPatchSchema, orgSettingsSchema } from '../settings';
import { iceGatheringTimeoutSchema, storedIceServerSchema } from '../ice-servers';
import { CALL_ACTIONS } from '../shortcuts';
import { wrapUpSchema } from './wrap-up';
import {
  ANNOUNCEMENT_MAX_BYTES,
  ANNOUNCEMENT_UPLOAD_TYPES,
  announcementInfoSchema,
  announcementKindSchema,
  announcementsSchema,
} from '../announcements';
import {
  bulkCreateResponseSchema,
  callReportSchema,
  lineSchema,
  meResponseSchema,
  testNumberResponseSchema,
  errorCodeSchema,
  errorDetailsSchema,
  announcementModeSchema,
  autoBlockReviewSchema,
  reviewDecisionSchema,
  reviewDecisionResponseSchema,
} from './api';
import {
  auditListQuerySchema,
  auditListResponseSchema,
  devicesResponseSchema,
  insightResponseSchema,
  inviteCreatedSchema,
  inviteCreateSchema,
  statsBlockedQuerySchema,
  statsBlockedResponseSchema,
  statsTopQuerySchema,
  statsTopResponseSchema,
  userPatchSchema,
  usersResponseSchema,
  personSchema,
} from './oversight';
import {
  blockRequestSchema,
  createBlockRequestResponseSchema,
  createBlockRequestSchema,
  resolveBlockRequestResponseSchema,
  resolveBlockRequestSchema,
} from './block-requests';

export const syncStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed_out') }),
  z.object({ status: z.literal('syncing'), revision: z.number().int(), ruleCount: z.number().int() }),
  z.object({
    status: z.literal('synced'),
    revision: z.number().int(),
    ruleCount: z.number().int(),
    syncedAt: isoDateTimeSchema,
  }),
  z.object({
    status: z.literal('offline'),
    revision: z.number().int(),
    ruleCount: z.number().int(),
    /** When the local copy last matched the server, or null if it never has. */
    lastSyncedAt: isoDateTimeSchema.nullable(),
    error: z.string(),
  }),
]);
export type SyncState = z.infer<typeof syncStateSchema>;

export const blocklistStateSchema = z.object({
  revision: z.number().int(),
  rules: z.array(ruleSchema),
  settings: orgSettingsSchema,
  lines: z.array(lineSchema),
});
export type BlocklistState = z.infer<typeof blocklistStateSchema>;

/**
 * What changed in the list between two announcements. At 100,000 rules the whole list is tens of MB,
 * so after the first load the renderer gets only the rules that changed. A delta applies to any copy
 * whose revision is in [fromRevision, revision): `upserted` holds the final state of every rule touched
 * in that span, so replaying part of it again is harmless. A copy older than `fromRevision` asks for
 * the whole list instead.
 */
export const blocklistDeltaSchema = z.object({
  fromRevision: z.number().int(),
  revision: z.number().int(),
  upserted: z.array(ruleSchema),
  removed: z.array(z.string()),
  /** Present only when they changed. */
  settings: orgSettingsSchema.optional(),
  lines: z.array(lineSchema).optional(),
});
export type BlocklistDelta = z.infer<typeof blocklistDeltaSchema>;

export const blocklistChangeSchema = z.discriminatedUnion('kind', [
  /** A new list (sign-in, snapshot, sign-out): replaces the copy. */
  z.object({ kind: z.literal('full'), state: blocklistStateSchema }),
  z.object({ kind: z.literal('delta'), delta: blocklistDeltaSchema }),
]);
export type BlocklistChange = z.infer<typeof blocklistChangeSchema>;

export const sessionSchema = z.discriminatedUnion('signedIn', [
  z.object({ signedIn: z.literal(false) }),
  z.object({ signedIn: z.literal(true), serverUrl: z.string(), me: meResponseSchema }),
]);
export type Session = z.infer<typeof sessionSchema>;

/** The outcome of a write sent to the server: never optimistic (SPEC §5.5). */
export const writeErrorSchema = z.object({
  ok: z.literal(false),
  code: z.union([errorCodeSchema, z.literal('offline'), z.literal('network')]),
  message: z.string(),
  details: errorDetailsSchema.optional(),
});
export type WriteError = z.infer<typeof writeErrorSchema>;
const writeResult = <T extends z.ZodType>(value: T) =>
  z.union([z.object({ ok: z.literal(true), value }), writeErrorSchema]);

export const sipAccountSchema = z.object({
  id: z.string().min(1).max(100),
  /** wss:// in production; ws:// is allowed on loopback only. */
  websocketUrl: z.string().regex(/^wss?:\/\//, 'must start with wss:// (or ws:// on loopback)'),
  /** The SIP address of record, e.g. sip:agent1@pbx.example.com */
  sipUri: z.string().regex(/^sips?:[^@\s]+@[^@\s]+$/, 'must be a SIP URI such as sip:agent1@pbx.example.com'),
  authorizationUser: z.string().max(200).optional(),
  displayName: z.string().max(100),
  /** The E.164 number of the org line this account receives calls for. */
  lineNumber: e164Schema,
  /** STUN/TURN servers (SPEC §10.8); TURN credentials are secrets, see `phone:credentials`. */
  iceServers: z.array(storedIceServerSchema).max(10).default([]),
  /** How long to gather ICE candidates before the offer goes anyway; absent = 500 ms. */
  iceGatheringTimeoutMs: iceGatheringTimeoutSchema.optional(),
  /** Media only through the TURN servers (`iceTransportPolicy: 'relay'`), for strict NATs; absent = any path. */
  relayOnly: z.boolean().optional(),
  enabled: z.boolean().default(true),
});
export type SipAccount = z.infer<typeof sipAccountSchema>;

/** A call's worst quality figures (SPEC §10.7), kept with its history entry. */
export const worstQualitySchema = z.object({
  mos: z.number().min(1).max(4.5),
  lossPercent: z.number().min(0).max(100),
  jitterMs: z.number().nonnegative(),
  rttMs: z.number().nonnegative().nullable(),
  codec: z.string().max(50).nullable(),
});

export const historyEntrySchema = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  number: z.string().nullable(),
  display: z.string(),
  line: z.string().nullable(),
  startedAt: isoDateTimeSchema,
  durationSeconds: z.number().nonnegative(),
  result: z.enum(['answered', 'missed', 'declined', 'failed', 'blocked', 'cancelled']),
  blockedReason: z.string().nullable(),
  verification: z.enum(['passed', 'failed', 'none']).nullable(),
  /** Answered calls: the worst figures the call had; absent for calls without media. */
  quality: worstQualitySchema.nullable().optional(),
  /** Answered calls: the agent's wrap-up (SPEC §10.11), once saved. */
  wrapUp: wrapUpSchema.extend({ savedAt: isoDateTimeSchema }).optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const appInfoSchema = z.object({
  host: z.enum(['electron', 'browser']),
  version: z.string(),
  /** What this host can do beyond the common contract. */
  capabilities: z.object({
    tray: z.boolean(),
    nativeNotifications: z.boolean(),
    osKeychain: z.boolean(),
    protocolHandlers: z.boolean(),
    /** The host opens screen-pop URLs in the system browser itself (Electron's shell); the browser host cannot. */
    openExternal: z.boolean().optional(),
  }),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

/**
 * Where the host keeps secrets (the server token, SIP passwords), shown to the user (SPEC §11.6). The
 * app never claims a keychain it does not have: Electron's Linux fallback `basic_text` encrypts with a
 * fixed password, so it counts as no keychain.
 */
export const secretStorageStatusSchema = z.discriminatedUnion('mode', [
  /** Encrypted by the OS: macOS Keychain, Windows DPAPI, GNOME libsecret or KWallet. */
  z.object({ mode: z.literal('keychain'), backend: z.string() }),
  /** In a plain file protected only by its permissions: the user accepted it, or the host has no keychain. */
  z.object({
    mode: z.literal('plain-file'),
    file: z.string(),
    reason: z.string(),
    chosenByUser: z.boolean(),
  }),
  /** Not stored: held in memory until the app quits. The user may accept the plain file instead. */
  z.object({ mode: z.literal('not-stored'), reason: z.string(), plainFile: z.string() }),
]);
export type SecretStorageStatus = z.infer<typeof secretStorageStatusSchema>;

/** The agent's availability (SPEC §10.4): the header and the tray show and change it. */
export const availabilitySchema = z.enum(['available', 'dnd']);
export type Availability = z.infer<typeof availabilitySchema>;

/** One SIP line's registration as the tray shows it. */
export const trayLineStatusSchema = z
  .object({
    /** The line's number, or its SIP URI when it has none. */
    line: z.string().min(1).max(200),
    status: z.enum(['stopped', 'connecting', 'registering', 'registered', 'unregistered', 'failed']),
  })
  .strict();
export type TrayLineStatus = z.infer<typeof trayLineStatusSchema>;

const none = z.undefined();

/** Audio over the bridge is base64 text (both bridges carry JSON); at most the upload limit's worth. */
const audioBase64Schema = z
  .string()
  .max(Math.ceil(ANNOUNCEMENT_MAX_BYTES / 3) * 4 + 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const announcementKindRequest = z.object({ kind: announcementKindSchema }).strict();

/** Request/response channels: renderer → main. */
export const invokeChannels = {
  'app:info': { request: none, response: appInfoSchema },
  'session:get': { request: none, response: sessionSchema },
  'session:signIn': {
    request: z.object({ serverUrl: z.url(), token: z.string().min(10).max(500) }).strict(),
    response: writeResult(sessionSchema),
  },
  'session:signOut': { request: none, response: z.object({ ok: z.literal(true) }) },
  'blocklist:get': { request: none, response: blocklistStateSchema },
  'sync:state': { request: none, response: syncStateSchema },
  'rules:create': { request: ruleCreateInputSchema, response: writeResult(ruleSchema) },
  'rules:bulkCreate': {
    request: z.object({
      entries: z.array(ruleCreateInputSchema).min(1).max(500),
      source: z.enum(['bulk', 'import']),
    }),
    response: writeResult(bulkCreateResponseSchema),
  },
  'rules:update': {
    request: z.object({ id: z.string().min(1), patch: rulePatchSchema }).strict(),
    response: writeResult(ruleSchema),
  },
  'rules:delete': { request: z.object({ id: z.string().min(1) }).strict(), response: writeResult(z.null()) },
  'rules:testNumber': {
    request: z.object({ number: z.string().min(1).max(200), line: e164Schema.optional() }).strict(),
    response: writeResult(testNumberResponseSchema),
  },
  'rules:exportCsv': { request: none, response: writeResult(z.string()) },
  'settings:update': { request: orgSettingsPatchSchema, response: writeResult(orgSettingsSchema) },
  'lines:setAnnouncementMode': {
    request: z.object({ number: e164Schema, mode: announcementModeSchema }).strict(),
    response: writeResult(z.array(lineSchema)),
  },
  /** The lead inbox (SPEC §11.4, §7.1b): auto-blocks waiting for review and agents' block requests. */
  'inbox:get': {
    request: none,
    response: writeResult(
      z.object({ reviews: z.array(autoBlockReviewSchema), requests: z.array(blockRequestSchema) }),
    ),
  },
  'inbox:decideReview': {
    request: z.object({ ruleId: z.string().min(1).max(100), decision: reviewDecisionSchema }).strict(),
    response: writeResult(reviewDecisionResponseSchema),
  },
  'inbox:resolveRequest': {
    request: z.object({ id: z.string().min(1).max(100), resolution: resolveBlockRequestSchema }).strict(),
    response: writeResult(resolveBlockRequestResponseSchema),
  },
  /** "Ask a lead to block", for those who may not manage the list. */
  'blockRequests:create': {
    request: createBlockRequestSchema,
    response: writeResult(createBlockRequestResponseSchema),
  },
  /** Admins only (the server says so): answer by itself when the PBX asks, on this line (SPEC §10.4). */
  'lines:setPbxAutoAnswer': {
    request: z.object({ number: e164Schema, enabled: z.boolean() }).strict(),
    response: writeResult(z.array(lineSchema)),
  },
  /** Queued locally and delivered once when online (idempotent by report id). */
  'calls:report': { request: callReportSchema, response: z.object({ queued: z.number().int() }) },
  /** SPEC §1.4: remembered across restarts so the call-back window survives one. */
  'calls:emergencyPlaced': {
    request: z.object({ at: isoDateTimeSchema }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'calls:lastEmergency': { request: none, response: z.object({ at: isoDateTimeSchema.nullable() }) },
  'history:list': { request: none, response: z.array(historyEntrySchema) },
  'history:add': { request: historyEntrySchema, response: z.object({ ok: z.literal(true) }) },
  'history:clear': { request: none, response: z.object({ ok: z.literal(true) }) },
  /**
   * SPEC §10.11: the wrap-up is kept with the history entry and sent to the server on its own by the
   * call's report id (queued while offline, and until the report itself is delivered).
   */
  'calls:wrapUp': {
    request: z
      .object({
        historyId: z.string().min(1).max(200),
        reportId: z.string().min(8).max(100),
        wrapUp: wrapUpSchema,
      })
      .strict(),
    response: z.object({ queued: z.number().int() }),
  },
  /** SPEC §10.11: the CRM page for a call, opened in the system browser where the host can. */
  'screenPop:open': {
    request: z.object({ url: z.string().min(1).max(4000) }).strict(),
    response: z.object({ opened: z.boolean() }),
  },
  'phone:accounts': {
    request: none,
    response: z.array(
      z.object({
        account: sipAccountSchema,
        hasPassword: z.boolean(),
        /** URLs of the account's TURN servers whose credential is saved. */
        savedIceCredentials: z.array(z.string()).optional(),
      }),
    ),
  },
  /** The SIP password leaves the keychain only for the renderer's own sip.js user agent. */
  'phone:credentials': {
    request: z.object({ accountId: z.string().min(1) }).strict(),
    response: z.object({
      password: z.string().nullable(),
      /** TURN credentials by server URL. */
      iceCredentials: z.record(z.string(), z.string()).optional(),
    }),
  },
  'phone:saveAccount': {
    request: z
      .object({
        account: sipAccountSchema,
        password: z.string().max(500).optional(),
        /** TURN credentials by server URL; an empty string forgets one, an absent URL keeps it. */
        iceCredentials: z.record(z.string().max(300), z.string().max(500)).optional(),
      })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'phone:removeAccount': {
    request: z.object({ accountId: z.string().min(1) }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  /** Status for the tray: lines registered (and each line's state). */
  'phone:status': {
    request: z
      .object({
        registeredLines: z.number().int(),
        totalLines: z.number().int(),
        lines: z.array(trayLineStatusSchema).max(50).optional(),
      })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  /** The agent's availability, for the tray's Available / Do not disturb choice (SPEC §10.4). */
  'tray:availability': {
    request: z.object({ availability: availabilitySchema }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  /** Missed calls the agent has not looked at yet, for the tray (SPEC §10.10). */
  'tray:missedCalls': {
    request: z.object({ count: z.number().int().nonnegative() }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  /** A native notification for an incoming call that was not blocked; resolves with the agent's choice. */
  'notify:incomingCall': {
    request: z.object({ callId: z.string(), caller: z.string(), line: z.string().nullable() }).strict(),
    response: z.object({ shown: z.boolean() }),
  },
  /** Oversight (SPEC §12): reads from the server, online only, for the roles the server allows. */
  'oversight:statsBlocked': {
    request: statsBlockedQuerySchema,
    response: writeResult(statsBlockedResponseSchema),
  },
  'oversight:statsTop': { request: statsTopQuerySchema, response: writeResult(statsTopResponseSchema) },
  'oversight:audit': { request: auditListQuerySchema, response: writeResult(auditListResponseSchema) },
  /** What the org knows of a caller; fetched in the background, never on a call's path. */
  'oversight:insight': {
    request: z.object({ number: e164Schema }).strict(),
    response: writeResult(insightResponseSchema),
  },
  'people:list': { request: none, response: writeResult(usersResponseSchema) },
  'people:update': {
    request: z.object({ id: z.string().min(1).max(100), patch: userPatchSchema }).strict(),
    response: writeResult(personSchema),
  },
  'people:devices': {
    request: z.object({ id: z.string().min(1).max(100) }).strict(),
    response: writeResult(devicesResponseSchema),
  },
  'people:revokeDevice': {
    request: z.object({ tokenId: z.string().min(1).max(100) }).strict(),
    response: writeResult(z.null()),
  },
  'people:revokeAll': {
    request: z.object({ id: z.string().min(1).max(100) }).strict(),
    response: writeResult(z.null()),
  },
  'people:invite': { request: inviteCreateSchema, response: writeResult(inviteCreatedSchema) },
  /** Sign in with an invite (link or code): the server answers with a fresh token for this device. */
  'session:redeemInvite': {
    request: z
      .object({
        serverUrl: z.url(),
        code: z.string().trim().min(6).max(100),
        deviceName: z.string().trim().min(1).max(100),
      })
      .strict(),
    response: writeResult(sessionSchema),
  },
  /** Where secrets are kept (SPEC §11.6). */
  'secrets:status': { request: none, response: secretStorageStatusSchema },
  /** The user accepts a plain file where the OS has no real keychain; secrets held in memory move there. */
  'secrets:usePlainFile': { request: none, response: secretStorageStatusSchema },
  /** The org's announcements kept on this computer (null: the built-in one plays), SPEC §12.5. */
  'announcements:state': { request: none, response: announcementsSchema },
  /** The audio of the org's recording kept on this computer, or null for the built-in one. */
  'announcements:get': {
    request: announcementKindRequest,
    response: z.object({ info: announcementInfoSchema, audioBase64: audioBase64Schema }).nullable(),
  },
  /** Uploads a recording (admins and leads); the server normalizes it and every app syncs it. */
  'announcements:upload': {
    request: z
      .object({
        kind: announcementKindSchema,
        contentType: z.enum(ANNOUNCEMENT_UPLOAD_TYPES as [string, ...string[]]),
        audioBase64: audioBase64Schema.min(1),
      })
      .strict(),
    response: writeResult(announcementInfoSchema),
  },
  /** Back to the built-in announcement (admins and leads). */
  'announcements:revert': { request: announcementKindRequest, response: writeResult(z.null()) },
} as const;

/** Events: main → renderer. */
export const eventChannels = {
  'sync:state': syncStateSchema,
  /** The list changed: the rules that changed, or the whole list when it was replaced. */
  'blocklist:changed': blocklistChangeSchema,
  'session:changed': sessionSchema,
  /** A tel:/callto:/sip: link was opened; the dialer shows it and the outbound check still runs. */
  'dialer:open': z.object({ number: z.string() }),
  /** A blockline://invite link was opened (SPEC §12.4): the sign-in page checks it and asks to confirm. */
  'invite:open': z.object({ link: z.string().max(2000) }),
  'tray:blockLastCaller': z.object({}),
  /** The agent picked Available or Do not disturb in the tray; the app's phone store applies it. */
  'tray:setAvailability': z.object({ availability: availabilitySchema }),
  'notify:action': z.object({ callId: z.string(), action: z.enum(['answer', 'decline', 'show']) }),
  /** A global shortcut was pressed (Electron globalShortcut, SPEC §10.9). */
  'shortcut:action': z.object({ action: z.enum(CALL_ACTIONS) }),
  /** The computer woke from sleep (Electron powerMonitor): every line re-registers (SPEC §10.6). */
  'power:resumed': z.object({}),
  /** An org announcement was downloaded or dropped here: the phone plays the new one from now on. */
  'announcements:changed': announcementsSchema,
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['response']>;
export type EventChannel = keyof typeof eventChannels;
export type EventPayload<C extends EventChannel> = z.output<(typeof eventChannels)[C]>;

/** What the preload (Electron) or the WebSocket bridge (browser host) exposes as `window.blockline`. */
export interface BlocklineApi {
  invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponse<C>>;
  /** Returns a function that removes the listener. */
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
}

export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && Object.hasOwn(invokeChannels, name);
}
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.hasOwn(eventChannels, name);
}
