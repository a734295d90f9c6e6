import type { IceServerDraft, IceServerDraftErrors } from '../../shared/ice-servers';
import { isTurnUrl } from '../../shared/ice-servers';
import { Button, TextField } from '../ui';

export interface NetworkFieldsProps {
  servers: IceServerDraft[];
  onServersChange(servers: IceServerDraft[]): void;
  timeoutMs: string;
  onTimeoutChange(value: string): void;
  serverErrors: IceServerDraftErrors[];
  timeoutError: string | null;
  /** TURN URLs whose credential is already saved. */
  savedCredentialUrls: readonly string[];
}

/** A SIP account's STUN/TURN servers and ICE gathering timeout (SPEC §10.8). */
export function NetworkFields(props: NetworkFieldsProps) {
  const { servers, onServersChange } = props;
  const patch = (index: number, change: Partial<IceServerDraft>) =>
    onServersChange(servers.map((server, at) => (at === index ? { ...server, ...change } : server)));
  return (
    <fieldset className="bl-fieldset bl-network">
      <legend>Network (STUN and TURN)</legend>
      <p className="bl-field__hint">
        Only needed when the phone system cannot be reached directly (strict NAT, one-way audio). TURN
        credentials are kept in the system keychain with the SIP password.
      </p>
      {servers.map((server, index) => {
        const errors = props.serverErrors[index] ?? {};
        const turn = isTurnUrl(server.url);
        const saved = props.savedCredentialUrls.includes(server.url.trim());
        return (
          <div key={index} className="bl-network__server" role="group" aria-label={`ICE server ${index + 1}`}>
            <TextField
              label="Server URL"
              value={server.url}
              placeholder="turn:turn.example.com:3478?transport=udp"
              onChange={(event) => patch(index, { url: event.target.value })}
              error={errors.url}
            />
            {turn && (
              <>
                <TextField
                  label="User name"
                  value={server.username}
                  autoComplete="off"
                  onChange={(event) => patch(index, { username: event.target.value })}
                  error={errors.username}
                />
                <TextField
                  label="Credential"
                  type="password"
                  autoComplete="new-password"
                  value={server.credential}
                  onChange={(event) => patch(index, { credential: event.target.value })}
                  error={errors.credential}
                  hint={saved ? 'Leave empty to keep the saved credential.' : undefined}
                />
              </>
            )}
            <Button
              size="small"
              variant="ghost"
              onClick={() => onServersChange(servers.filter((_, at) => at !== index))}
              aria-label={`Remove ICE server ${index + 1}`}
            >
              Remove
            </Button>
          </div>
        );
      })}
      <Button
        size="small"
        onClick={() => onServersChange([...servers, { url: '', username: '', credential: '' }])}
      >
        Add STUN/TURN server
      </Button>
      <TextField
        label="ICE gathering timeout (ms)"
        inputMode="numeric"
        value={props.timeoutMs}
        onChange={(event) => props.onTimeoutChange(event.target.value)}
        error={props.timeoutError}
        hint="How long to look for network paths before the call goes out anyway (100–10000)."
      />
    </fieldset>
  );
}
