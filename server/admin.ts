/**
 * Admin command line: `npm run admin -- <command>`; every command prints one JSON line on stdout
 * (errors: one JSON line on stderr and exit code 1). Uses DATABASE_URL like the server.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { exportRules, importRules } from './admin-import';
import { addLine, AdminError, createOrg, createToken, createUser, standaloneStore } from './admin-ops';
import { findUser, listTokens, revokeTokens, setUserDisabled } from './people-service';
import { openDatabase } from './db/database';
import { createInvite } from './invite-service';
import { roleSchema } from '../shared/contracts/api';
import { checkInviteServer } from '../shared/invite-link';
import { demoTokensFromEnv, seedDemoOrg } from './demo';
import { testNumberForOrg } from './verdict';
import { errorMessage } from '../shared/error-message';
import { IMPORT_FORMATS, isImportFormat } from '../shared/import-formats';

const USAGE = [
  'org create --name N --country CC --tz Area/City',
  'user create --org ID --name N --role admin|lead|agent',
  'user disable --user ID',
  'user enable --user ID',
  'token create --user ID [--device NAME]',
  'token list --user ID',
  'token revoke --id TOKEN_ID | --user ID',
  'line add --org ID --number +E164 --label L',
  'invite create --org ID --name N --role admin|lead|agent --server https://ADDRESS',
  'test-number --org ID [--line +E164] "<number>"',
  `import --org ID --file F [--format auto|${IMPORT_FORMATS.join('|')}] [--kind block|allow] [--dry-run]`,
  'export --org ID [--file F]',
  'demo',
];

const OPTIONS = {
  name: { type: 'string' },
  country: { type: 'string' },
  tz: { type: 'string' },
  org: { type: 'string' },
  role: { type: 'string' },
  user: { type: 'string' },
  id: { type: 'string' },
  device: { type: 'string' },
  number: { type: 'string' },
  label: { type: 'string' },
  line: { type: 'string' },
  server: { type: 'string' },
  file: { type: 'string' },
  format: { type: 'string' },
  kind: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

/** Commands named by one word; the others are two (`org create`). */
const ONE_WORD_COMMANDS = new Set(['test-number', 'demo', 'import', 'export']);

/** `export` without `--file` has written the CSV itself. */
const NOTHING_TO_PRINT = Symbol('nothing to print');

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new AdminError(`--${flag} is required`);
  return value;
}

async function main(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const command = positionals.slice(0, ONE_WORD_COMMANDS.has(positionals[0] ?? '') ? 1 : 2).join(' ');
  const database = await openDatabase(process.env.DATABASE_URL);
  try {
    const store = standaloneStore(database);
    switch (command) {
      case 'org create':
        return await createOrg(store, {
          name: required(values.name, 'name'),
          country: required(values.country, 'country'),
          timeZone: required(values.tz, 'tz'),
        });
      case 'user create':
        return await createUser(store, {
          orgId: required(values.org, 'org'),
          name: required(values.name, 'name'),
          role: required(values.role, 'role'),
        });
      case 'user disable':
      case 'user enable': {
        const user = await setUserDisabled(store, required(values.user, 'user'), command === 'user disable');
        if (user === null) throw new AdminError(`no user ${values.user}`);
        return user;
      }
      case 'token create':
        // The one time the secret is shown, because a person asked for it (SPEC §11.6).
        return await createToken(store, required(values.user, 'user'), undefined, values.device ?? null);
      case 'token list': {
        const userId = required(values.user, 'user');
        if ((await findUser(store, userId)) === null) throw new AdminError(`no user ${userId}`);
        return { tokens: await listTokens(store, userId) };
      }
      case 'token revoke':
        // By id or by user, never by the secret: a secret on the command line is visible in `ps`.
        if (values.id !== undefined) return await revokeTokens(store, { id: required(values.id, 'id') });
        return await revokeTokens(store, { userId: required(values.user, 'user') });
      case 'line add':
        return await addLine(store, {
          orgId: required(values.org, 'org'),
          number: required(values.number, 'number'),
          label: required(values.label, 'label'),
        });
      case 'invite create': {
        const orgId = required(values.org, 'org');
        if ((await store.getOrg(orgId)) === null) throw new AdminError(`no org ${orgId}`);
        const role = roleSchema.safeParse(required(values.role, 'role'));
        if (!role.success) throw new AdminError('role must be one of admin, lead, agent');
        const server = checkInviteServer(required(values.server, 'server'));
        if (!server.ok) throw new AdminError(server.message);
        const name = required(values.name, 'name').trim();
        return await createInvite(store, orgId, { name, role: role.data }, null, server.origin);
      }
      case 'test-number': {
        const input = positionals[1];
        if (input === undefined || input.trim() === '') throw new AdminError('give the number to test');
        return await testNumberForOrg(store, required(values.org, 'org'), input, values.line ?? null);
      }
      case 'demo':
        return await seedDemoOrg(database, demoTokensFromEnv());
      case 'import': {
        const file = required(values.file, 'file');
        const format = values.format ?? 'auto';
        if (format !== 'auto' && !isImportFormat(format))
          throw new AdminError(`--format must be auto or one of ${IMPORT_FORMATS.join(', ')}`);
        const kind = values.kind;
        if (kind !== undefined && kind !== 'block' && kind !== 'allow')
          throw new AdminError('--kind must be block or allow');
        const text = await readFile(file, 'utf8').catch((error: unknown) => {
          throw new AdminError(`cannot read ${file}: ${errorMessage(error)}`);
        });
        return await importRules(store, {
          orgId: required(values.org, 'org'),
          text,
          format,
          kind,
          dryRun: values['dry-run'] === true,
        });
      }
      case 'export': {
        const orgId = required(values.org, 'org');
        const out = values.file === undefined ? process.stdout : createWriteStream(values.file);
        let rules = -1;
        for await (const chunk of exportRules(store, orgId)) {
          rules += chunk.split('\r\n').length - 1;
          if (!out.write(chunk)) await once(out, 'drain');
        }
        if (values.file === undefined) return NOTHING_TO_PRINT;
        await new Promise<void>((resolve, reject) =>
          out.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
        return { file: values.file, rules };
      }
      default:
        throw new AdminError(`unknown command ${JSON.stringify(command)}; commands: ${USAGE.join(' | ')}`);
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (result) => {
    if (result !== NOTHING_TO_PRINT) process.stdout.write(`${JSON.stringify(result)}\n`);
  },
  (error: unknown) => {
    const message = errorMessage(error);
    process.stderr.write(`${JSON.stringify({ error: { message } })}\n`);
    process.exitCode = 1;
  },
);
