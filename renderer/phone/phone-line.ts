/**
 * One SIP account: a sip.js UserAgent (SIP over WebSocket, Digest auth) and its Registerer, with
 * reconnection after the transport drops (exponential backoff). Incoming INVITEs go to `onInvite`.
 */
import {
  Invitation,
  Registerer,
  RegistererState,
  UserAgent,
  type SessionDescriptionHandlerFactory,
  type UserAgentOptions,
} from 'sip.js';
import type { SipAccount } from '../../shared/contracts/ipc';
import { DEFAULT_ICE_GATHERING_TIMEOUT_MS, peerIceServers } from '../../shared/ice-servers';
import { recoveryAction, type RecoveryEvent } from '../../shared/line-recovery';
import { badRequestResponse, isInviteRequest, rewriteTelIdentities } from './raw-message';
import type { LineSnapshot, RegistrationStatus } from './types';
import { errorMessage } from '../../shared/error-message';

export interface PhoneLineOptions {
  account: SipAccount;
  password: string | null;
  /** TURN credentials by server URL (from the keychain). */
  iceCredentials?: Readonly<Record<string, string>>;
  sessionDescriptionHandlerFactory: SessionDescriptionHandlerFactory;
  logLevel: 'debug' | 'log' | 'warn' | 'error';
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  onInvite(line: PhoneLine, invitation: Invitation): void;
  /**
   * Sees each incoming message before sip.js parses it and may answer it itself (the reject fast path,
   * `fast-reject.ts`): returns the response to send, and the message then never reaches sip.js.
   */
  answerBeforeParse?(line: PhoneLine, raw: string): string | null;
  onChange(snapshot: LineSnapshot): void;
  onError(context: string, error: unknown): void;
}

const REGISTER_EXPIRES_S = 300;
const LOG_RANK = { error: 0, warn: 1, log: 2, debug: 3 } as const;
/** sip.js's words when it drops a request without answering it (api/user-agent.js). */
const DROPPED_REQUEST = /^(Failed to parse incoming message|Request missing mandatory header field)/;

export class PhoneLine {
  readonly account: SipAccount;
  readonly userAgent: UserAgent;
  readonly domain: string;
  private readonly registerer: Registerer;
  private status: RegistrationStatus = 'stopped';
  private error: string | null = null;
  private reconnectAt: number | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** Failed connection attempts in a row: the backoff step. */
  private failedAttempts = 0;
  private disposed = false;
  /** Set by the log connector while sip.js handles one incoming message and drops it. */
  private droppedWhileDelivering = false;

  constructor(private readonly options: PhoneLineOptions) {
    const { account } = options;
    this.account = account;
    const uri = UserAgent.makeURI(account.sipUri);
    if (!uri) throw new Error(`account ${account.id}: "${account.sipUri}" is not a SIP URI`);
    this.domain = uri.host;
    const userAgentOptions: UserAgentOptions = {
      uri,
      displayName: account.displayName,
      authorizationUsername: account.authorizationUser || uri.user || '',
      authorizationPassword: options.password ?? undefined,
      transportOptions: { server: account.websocketUrl, connectionTimeout: 5, traceSip: false },
      // sip.js reports the requests it drops only as warnings; we need those (see guardIncomingMessages),
      // and print what the configured level asks for ourselves.
      logLevel: LOG_RANK[options.logLevel] >= LOG_RANK.warn ? options.logLevel : 'warn',
      logBuiltinEnabled: false,
      logConnector: (level, category, label, content) => this.onSipJsLog(level, category, label, content),
      // sip.js would otherwise answer every INVITE with 180 Ringing before we decide (SPEC §3.4).
      sendInitialProvisionalResponse: false,
      sessionDescriptionHandlerFactory: options.sessionDescriptionHandlerFactory,
      sessionDescriptionHandlerFactoryOptions: {
        // Only the account's own servers: sip.js's default names a public STUN server.
        peerConnectionConfiguration: {
          iceServers: peerIceServers(account.iceServers, (url) => options.iceCredentials?.[url]),
          iceTransportPolicy: account.relayOnly === true ? 'relay' : 'all',
        },
        iceGatheringTimeout: account.iceGatheringTimeoutMs ?? DEFAULT_ICE_GATHERING_TIMEOUT_MS,
      },
      // We reconnect ourselves, with backoff and re-registration.
      reconnectionAttempts: 0,
      userAgentString: 'Blockline',
      delegate: {
        onInvite: (invitation) => this.options.onInvite(this, invitation),
        onDisconnect: (error) => {
          if (this.disposed) return;
          this.setStatus('connecting', error ? `connection lost: ${error.message}` : 'connection closed');
          this.scheduleReconnect();
        },
      },
    };
    this.userAgent = new UserAgent(userAgentOptions);
    this.guardIncomingMessages();
    this.registerer = new Registerer(this.userAgent, { expires: REGISTER_EXPIRES_S });
    this.registerer.stateChange.addListener((state) => {
      if (state === RegistererState.Registered) {
        this.failedAttempts = 0;
        this.setStatus('registered', null);
      } else if (state === RegistererState.Unregistered && this.status !== 'failed') {
        this.setStatus('unregistered', this.error);
      }
    });
  }

  /**
   * sip.js drops messages it cannot parse without answering, leaving a caller waiting: rewrite `tel:`
   * identities it cannot read, and answer an INVITE it still drops with 400. Whether it dropped one is
   * learned from its own log (parsing every INVITE a second time here would double the parse cost).
   */
  private guardIncomingMessages(): void {
    const transport = this.userAgent.transport;
    const deliver = transport.onMessage;
    transport.onMessage = (message: string) => {
      if (this.answeredBeforeParse(message)) return;
      let prepared = message;
      try {
        prepared = rewriteTelIdentities(message);
      } catch (error) {
        this.options.onError('reading an incoming message', error);
      }
      this.droppedWhileDelivering = false;
      deliver?.(prepared);
      if (this.droppedWhileDelivering && isInviteRequest(prepared)) {
        this.droppedWhileDelivering = false;
        const response = badRequestResponse(prepared, 'Unreadable request');
        if (response)
          void transport
            .send(response)
            .catch((error) => this.options.onError('answering a broken INVITE', error));
      }
    };
  }

  private answeredBeforeParse(message: string): boolean {
    const answer = this.options.answerBeforeParse;
    if (answer === undefined || !isInviteRequest(message)) return false;
    let response: string | null = null;
    try {
      response = answer(this, message);
    } catch (error) {
      this.options.onError('the reject fast path', error);
    }
    if (response === null) return false;
    void this.userAgent.transport
      .send(response)
      .catch((error) => this.options.onError('answering a blocked INVITE', error));
    return true;
  }

  private onSipJsLog(
    level: 'error' | 'warn' | 'log' | 'debug',
    category: string,
    label: string | undefined,
    content: string,
  ): void {
    if (level === 'warn' && DROPPED_REQUEST.test(content)) this.droppedWhileDelivering = true;
    if (LOG_RANK[level] > LOG_RANK[this.options.logLevel]) return;
    const line = `${category}${label ? ` ${label}` : ''}: ${content}`;
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    else console.log(line);
  }

  snapshot(): LineSnapshot {
    return {
      accountId: this.account.id,
      lineNumber: this.account.lineNumber,
      sipUri: this.account.sipUri,
      status: this.status,
      error: this.error,
      reconnectAt: this.reconnectAt,
    };
  }

  isRegistered(): boolean {
    return this.status === 'registered';
  }

  async start(): Promise<void> {
    if (this.disposed) return;
    this.setStatus('connecting', null);
    try {
      await this.userAgent.start();
    } catch (error) {
      this.setStatus('connecting', `cannot connect to ${this.account.websocketUrl}: ${errorMessage(error)}`);
      this.scheduleReconnect();
      return;
    }
    await this.register();
  }

  private async register(): Promise<void> {
    this.setStatus('registering', null);
    try {
      await this.registerer.register({
        requestDelegate: {
          // The Registerer may still think it is registered after the transport dropped, so its state
          // does not change again on this 200: mark the line registered here.
          onAccept: () => {
            this.failedAttempts = 0;
            this.setStatus('registered', null);
          },
          onReject: (response) => {
            const { statusCode, reasonPhrase } = response.message;
            this.setStatus('failed', `registration refused: ${statusCode} ${reasonPhrase}`);
          },
        },
      });
    } catch (error) {
      this.setStatus('failed', `registration failed: ${errorMessage(error)}`);
    }
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.reconnectTimer !== null) return;
    const action = recoveryAction(
      'transport-lost',
      { status: this.status, failedAttempts: this.failedAttempts },
      Math.random,
      { baseMs: this.options.reconnect.initialDelayMs, capMs: this.options.reconnect.maxDelayMs },
    );
    if (action.kind !== 'retry-later') return;
    const delayMs = action.delayMs;
    this.failedAttempts += 1;
    this.reconnectAt = Date.now() + delayMs;
    this.emit();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnectAt = null;
      void this.reconnect();
    }, delayMs);
  }

  /**
   * The network is back or the computer woke (SPEC §10.6): do not wait out the backoff. Resolves once
   * the attempt it started has an answer.
   */
  async recover(event: Exclude<RecoveryEvent, 'transport-lost'>): Promise<void> {
    if (this.disposed) return;
    const action = recoveryAction(
      event,
      { status: this.status, failedAttempts: this.failedAttempts },
      Math.random,
    );
    if (action.kind === 'nothing' || action.kind === 'retry-later') return;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.reconnectAt = null;
    this.failedAttempts = 0;
    if (action.kind === 'register-now' && this.userAgent.transport.isConnected()) {
      await this.register();
      return;
    }
    await this.reconnect();
  }

  private async reconnect(): Promise<void> {
    if (this.disposed) return;
    try {
      await this.userAgent.reconnect();
    } catch (error) {
      this.setStatus('connecting', `cannot connect to ${this.account.websocketUrl}: ${errorMessage(error)}`);
      this.scheduleReconnect();
      return;
    }
    await this.register();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.reconnectAt = null;
    try {
      if (this.registerer.state === RegistererState.Registered) {
        // Wait for the 200 so the registrar forgets us before the socket closes.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          this.registerer
            .unregister({
              requestDelegate: {
                onAccept: () => {
                  clearTimeout(timer);
                  resolve();
                },
                onReject: () => {
                  clearTimeout(timer);
                  resolve();
                },
              },
            })
            .catch(() => {
              clearTimeout(timer);
              resolve();
            });
        });
      }
      await this.registerer.dispose();
      await this.userAgent.stop();
    } catch (error) {
      this.options.onError(`line ${this.account.id}: stop`, error);
    }
    this.setStatus('stopped', null);
  }

  private setStatus(status: RegistrationStatus, error: string | null): void {
    this.status = status;
    this.error = error;
    this.emit();
  }

  private emit(): void {
    try {
      this.options.onChange(this.snapshot());
    } catch (error) {
      this.options.onError(`line ${this.account.id}: onLineChange listener`, error);
    }
  }
}
