import { Fragment, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Role } from '../../../shared/contracts/api';
import type { Person } from '../../../shared/contracts/oversight';
import { formatDateTime } from '../../app/format';
import { usePeople, useStores } from '../../app/stores';
import { Banner, Button, Select, TextField } from '../../ui';
import { errorText } from '../errors';
import '../../styles/oversight.css';

const ROLE_OPTIONS: { value: Role; label: string }[] = [
  { value: 'agent', label: 'Agent' },
  { value: 'lead', label: 'Team lead' },
  { value: 'admin', label: 'Admin' },
];
const devicesText = (count: number) => `${count} ${count === 1 ? 'device' : 'devices'}`;
const isRole = (value: string): value is Role => value === 'agent' || value === 'lead' || value === 'admin';

/**
 * Settings → People (SPEC §12.4, admins): invite, change roles, disable, see and revoke devices. While
 * shown it refreshes itself (every 15 s while the window is visible, and when it regains focus).
 */
export function People() {
  const stores = useStores();
  const { users, loading, error, rowErrors } = usePeople((state) => state);
  const [open, setOpen] = useState<string | null>(null);
  // The open device list is refreshed with the rest; read through a ref so polling is not restarted.
  const openRef = useRef(open);
  useEffect(() => {
    openRef.current = open;
  }, [open]);
  // Kept current while shown (a device's last use, an invite redeemed), quietly: no loading state.
  useEffect(
    () =>
      stores.people.getState().poll({ devicesOf: () => (openRef.current === null ? [] : [openRef.current]) }),
    [stores],
  );
  const toggleDevices = (person: Person) => {
    if (open === person.id) return setOpen(null);
    setOpen(person.id);
    void stores.people.getState().loadDevices(person.id);
  };
  return (
    <section className="bl-panel bl-people" aria-labelledby="people-heading" aria-busy={loading}>
      <header className="bl-panel__header">
        <h2 id="people-heading">People</h2>
      </header>
      <InviteForm />
      {error && <Banner tone="error">People could not be loaded: {errorText(error)}</Banner>}
      <table className="bl-table" data-testid="people">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Devices</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="bl-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((person) => {
            const rowError = rowErrors[person.id];
            return (
              <Fragment key={person.id}>
                <tr data-person={person.name}>
                  <th scope="row">{person.name}</th>
                  <td>
                    <Select
                      label={`Role of ${person.name}`}
                      hideLabel
                      value={person.role}
                      options={ROLE_OPTIONS}
                      onChange={(value) => {
                        if (isRole(value)) void stores.people.getState().update(person.id, { role: value });
                      }}
                    />
                  </td>
                  <td>
                    <span className={person.disabled ? 'bl-tag bl-tag--block' : 'bl-tag bl-tag--allow'}>
                      {person.disabled ? 'Disabled' : 'Active'}
                    </span>
                  </td>
                  <td>
                    <Button
                      size="small"
                      variant="ghost"
                      aria-expanded={open === person.id}
                      onClick={() => toggleDevices(person)}
                      aria-label={`${devicesText(person.devices)} of ${person.name}`}
                    >
                      {devicesText(person.devices)}
                    </Button>
                  </td>
                  <td>{person.lastUsedAt === null ? 'Never' : formatDateTime(person.lastUsedAt)}</td>
                  <td>
                    <Button
                      size="small"
                      variant={person.disabled ? 'secondary' : 'danger'}
                      onClick={() =>
                        void stores.people.getState().update(person.id, { disabled: !person.disabled })
                      }
                    >
                      {person.disabled ? `Enable ${person.name}` : `Disable ${person.name}`}
                    </Button>
                  </td>
                </tr>
                {rowError && (
                  <tr>
                    <td colSpan={6}>
                      <span className="bl-field__error" role="alert">
                        {person.name}: {errorText(rowError)}
                      </span>
                    </td>
                  </tr>
                )}
                {open === person.id && (
                  <tr className="bl-people__devices">
                    <td colSpan={6}>
                      <Devices person={person} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function Devices({ person }: { person: Person }) {
  const stores = useStores();
  const devices = usePeople((state) => state.devices[person.id]);
  if (devices === undefined) return <p className="bl-muted">Loading devices…</p>;
  return (
    <div>
      {devices.length === 0 ? (
        <p className="bl-muted">{person.name} has no device signed in.</p>
      ) : (
        <table className="bl-table" aria-label={`Devices of ${person.name}`}>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="bl-visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {devices.map((device) => (
              <tr key={device.id}>
                <th scope="row">{device.deviceName ?? 'Unnamed device'}</th>
                <td>{formatDateTime(device.createdAt)}</td>
                <td>{device.lastUsedAt === null ? 'Never' : formatDateTime(device.lastUsedAt)}</td>
                <td>
                  <Button
                    size="small"
                    variant="ghost"
                    onClick={() => void stores.people.getState().revokeDevice(person.id, device.id)}
                  >
                    Revoke {device.deviceName ?? 'device'}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {devices.length > 1 && (
        <Button
          size="small"
          variant="danger"
          onClick={() => void stores.people.getState().revokeAll(person.id)}
        >
          Revoke all of {person.name}’s devices
        </Button>
      )}
    </div>
  );
}

function InviteForm() {
  const stores = useStores();
  const lastInvite = usePeople((state) => state.lastInvite);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') return setError('Give the person’s name');
    const refused = await stores.people.getState().invite(name.trim(), role);
    setError(refused === null ? null : errorText(refused));
    if (refused === null) setName('');
  };
  return (
    <section className="bl-chart" aria-labelledby="invite-heading">
      <h3 id="invite-heading">Invite a person</h3>
      <form className="bl-filters" onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={error}
        />
        <Select
          label="Role"
          value={role}
          options={ROLE_OPTIONS}
          onChange={(value) => isRole(value) && setRole(value)}
        />
        <Button type="submit" variant="primary">
          Create invite
        </Button>
      </form>
      {lastInvite && (
        <div className="bl-invite" data-testid="invite-result" role="status">
          <p>
            Send this to <strong>{lastInvite.name}</strong> ({lastInvite.role}). It signs them in once, until{' '}
            {formatDateTime(lastInvite.expiresAt)}.
          </p>
          <TextField
            label="Invite link"
            readOnly
            value={lastInvite.url}
            onFocus={(event) => event.target.select()}
          />
          <TextField
            label="Invite code"
            readOnly
            value={lastInvite.code}
            onFocus={(event) => event.target.select()}
          />
        </div>
      )}
    </section>
  );
}
