/**
 * `host/main.ts` takes its token from the environment, a file or stdin, never from argv (SPEC §11.6:
 * every user of the machine can read another process's command line with `ps`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHostCli, TOKEN_IN_ARGV_MESSAGE } from '../../host/main';

const root = path.resolve(__dirname, '..', '..');
const workDir = mkdtempSync(path.join(tmpdir(), 'blockline-host-cli-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const TOKEN = 'blk_test_token_0123456789';

describe('host/main.ts command line', () => {
  it('refuses a token on the command line, in either spelling, and says where to put it', () => {
    for (const argv of [['--server-url', 'http://127.0.0.1:1', '--token', TOKEN], [`--token=${TOKEN}`]]) {
      expect(() => parseHostCli(argv, {})).toThrow(TOKEN_IN_ARGV_MESSAGE);
    }
    expect(TOKEN_IN_ARGV_MESSAGE).toMatch(/BLOCKLINE_TOKEN.*--token-file FILE.*--token-file -/);
  });

  it('takes the token from BLOCKLINE_TOKEN', () => {
    const config = parseHostCli(['--server-url', 'http://127.0.0.1:4000'], { BLOCKLINE_TOKEN: TOKEN });
    expect(config.signIn).toEqual({ serverUrl: 'http://127.0.0.1:4000', token: TOKEN });
  });

  it('takes the token from a file: its first line, trimmed (a real file)', () => {
    const file = path.join(workDir, 'token');
    writeFileSync(file, `  ${TOKEN}  \r\nignored second line\n`, { mode: 0o600 });
    const config = parseHostCli(['--server-url', 'http://127.0.0.1:4000', '--token-file', file], {
      BLOCKLINE_TOKEN: 'the-file-wins-over-the-environment',
    });
    expect(config.signIn?.token).toBe(TOKEN);
  });

  it('reads stdin for --token-file -, and refuses an empty token file', () => {
    const read: string[] = [];
    const config = parseHostCli(
      ['--server-url', 'http://127.0.0.1:4000', '--token-file', '-'],
      {},
      (file) => {
        read.push(file);
        return `${TOKEN}\n`;
      },
    );
    expect(read).toEqual(['-']);
    expect(config.signIn?.token).toBe(TOKEN);
    expect(() =>
      parseHostCli(['--server-url', 'http://127.0.0.1:4000', '--token-file', '-'], {}, () => '\n'),
    ).toThrow(/no token in it/);
  });

  it('still needs both a server URL and a token, or neither', () => {
    expect(() => parseHostCli(['--server-url', 'http://127.0.0.1:4000'], {})).toThrow(/both/);
    expect(parseHostCli([], {}).signIn).toBeNull();
  });

  it('the real process exits 1 with the message, before it listens, when given --token', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'host/main.ts', '--port', '0', '--data-dir', workDir, '--token', TOKEN],
      { cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, BLOCKLINE_TOKEN: '' } },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--token is not accepted');
    expect(result.stdout).not.toContain('BLOCKLINE_URL=');
  });

  it('reads a real stdin for --token-file -', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { parseHostCli } = await import('./host/main.ts');
         const config = parseHostCli(['--server-url', 'http://127.0.0.1:1', '--token-file', '-'], {});
         console.log(JSON.stringify(config.signIn));`,
      ],
      { cwd: root, encoding: 'utf8', timeout: 30_000, input: `${TOKEN}\n` },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual({ serverUrl: 'http://127.0.0.1:1', token: TOKEN });
  });
});
