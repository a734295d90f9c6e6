/**
 * The `blockline` command line (run through bin/blockline.mjs):
 *   blockline normalize [--country CC] <input>      → {"ok":true,"e164":"+12125551234"} or {"ok":false,…}
 *   blockline normalize [--country CC] --jsonl      stdin: {"input":"…","country":"GB"} per line
 *   blockline identity [--country CC]               stdin: one raw SIP request → {"kind":"number","e164":"+…"}
 *                                                   (withheld: {"kind":"anonymous","asserted":"+…"})
 *   blockline identity [--country CC] --jsonl       stdin: {"message":"<raw SIP>"} per line
 * Results are JSON on stdout (exit 0, also for an input that is not a number); usage errors go to stderr
 * with exit status 2.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { isEmergencyNumber } from '../shared/emergency';
import { identityFromRawMessage } from '../shared/identity';
import type { CallerIdentity } from '../shared/identity.types';
import { isSupportedCountryCode, normalizeNumber } from '../shared/numbers';
import type { CountryCode } from '../shared/numbers';
import { errorDetail } from '../shared/error-message';

const USAGE = `usage:
  blockline normalize [--country CC] <number>     normalize one number to E.164
  blockline normalize [--country CC] --jsonl      one {"input":"…","country":"GB"} per stdin line
  blockline identity [--country CC]               read one raw SIP request on stdin, print the caller identity
  blockline identity [--country CC] --jsonl       one {"message":"<raw SIP>","country":"GB"} per stdin line
options:
  --country CC   default country for numbers without a country code (default US)
  --jsonl        batch mode: one JSON result line per input line, in order
`;

/** Raw SIP text read from stdin beyond this is ignored (the identity reader looks at far less). */
const MAX_STDIN_BYTES = 1024 * 1024;

class UsageError extends Error {}

interface Options {
  command: 'normalize' | 'identity';
  country: CountryCode;
  jsonl: boolean;
  positional: string[];
}

function parseArguments(argv: readonly string[]): Options {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('no command given');
  if (command !== 'normalize' && command !== 'identity')
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  let country = 'US';
  let jsonl = false;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--') {
      positional.push(...rest.slice(i + 1));
      break;
    } else if (arg === '--jsonl') {
      jsonl = true;
    } else if (arg === '--country' || arg.startsWith('--country=')) {
      const value = arg === '--country' ? rest[++i] : arg.slice('--country='.length);
      if (value === undefined || value === '')
        throw new UsageError('--country needs a two-letter country code such as US');
      country = value;
    } else if (arg.startsWith('--') || (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg))) {
      throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    } else {
      positional.push(arg);
    }
  }
  const upper = country.toUpperCase();
  if (!isSupportedCountryCode(upper))
    throw new UsageError(
      `unknown country ${JSON.stringify(country)}: use a two-letter code such as US or GB`,
    );
  if (command === 'normalize' && !jsonl && positional.length === 0)
    throw new UsageError('normalize needs a number (or --jsonl)');
  if ((command === 'identity' || jsonl) && positional.length > 0) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positional[0])}: ${command}${jsonl ? ' --jsonl' : ''} reads stdin`,
    );
  }
  return { command, country: upper, jsonl, positional };
}

/**
 * The CLI's identity shape: kind, then e164 / asserted / problem, then verstat and attestation when
 * present. A caller who withheld the number (`Privacy: id`, `Remote-Party-ID;privacy=full`, an anonymous
 * From) is `anonymous` as the callee sees it, with the number the network asserted beside it (SPEC §3.3).
 */
function identityJson(identity: CallerIdentity): Record<string, string> {
  const withheld = identity.kind === 'number' && identity.withheld;
  const out: Record<string, string> = { kind: withheld ? 'anonymous' : identity.kind };
  if (identity.kind === 'number') out[withheld ? 'asserted' : 'e164'] = identity.e164;
  if (identity.kind === 'unknown' && identity.problem !== undefined) out.problem = identity.problem;
  if (identity.verification?.verstat) out.verstat = identity.verification.verstat;
  if (identity.verification?.attestation) out.attestation = identity.verification.attestation;
  return out;
}

/** One JSONL input line → its object, or a message saying what is wrong with it. */
function parseLine(line: string, field: string): { value: Record<string, unknown> } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { problem: 'the line is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { problem: 'the line is not a JSON object' };
  const record = parsed as Record<string, unknown>;
  if (typeof record[field] !== 'string') return { problem: `the line has no string "${field}"` };
  return { value: record };
}

/** The line's own country, else the default; null when the line names a country that does not exist. */
function lineCountry(record: Record<string, unknown>, fallback: CountryCode): CountryCode | null {
  const given = record.country;
  if (given === undefined || given === null) return fallback;
  if (typeof given !== 'string') return null;
  const upper = given.toUpperCase();
  return isSupportedCountryCode(upper) ? upper : null;
}

function normalizeLine(line: string, fallback: CountryCode): object {
  const parsed = parseLine(line, 'input');
  if ('problem' in parsed) return { ok: false, reason: 'bad_input', message: parsed.problem };
  const country = lineCountry(parsed.value, fallback);
  if (country === null) {
    return {
      ok: false,
      reason: 'invalid_country',
      message: `unknown country ${JSON.stringify(parsed.value.country)}`,
    };
  }
  return normalizeForList(String(parsed.value.input), country);
}

/**
 * What the add flows answer for one input: an emergency code of the country is refused before anything
 * else (SPEC §1.3), everything else is normalized (§1.1–1.2).
 */
function normalizeForList(input: string, country: CountryCode): object {
  if (isEmergencyNumber(input, country)) {
    return {
      ok: false,
      reason: 'emergency',
      message: `${JSON.stringify(input.trim())} is an emergency number in ${country}: it can never be added to the list.`,
    };
  }
  return normalizeNumber(input, country);
}

function identityLine(line: string, fallback: CountryCode): object {
  const parsed = parseLine(line, 'message');
  if ('problem' in parsed) return { kind: 'unknown', problem: parsed.problem };
  const country = lineCountry(parsed.value, fallback);
  if (country === null)
    return { kind: 'unknown', problem: `unknown country ${JSON.stringify(parsed.value.country)}` };
  return identityJson(identityFromRawMessage(String(parsed.value.message), country));
}

async function writeLine(value: object): Promise<void> {
  if (!process.stdout.write(`${JSON.stringify(value)}\n`)) await once(process.stdout, 'drain');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    if (size < MAX_STDIN_BYTES) chunks.push(buffer);
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const options = parseArguments(argv);
  if (options.jsonl) {
    const handle = options.command === 'normalize' ? normalizeLine : identityLine;
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) await writeLine(handle(line, options.country));
    return 0;
  }
  if (options.command === 'normalize') {
    await writeLine(normalizeForList(options.positional.join(' '), options.country));
    return 0;
  }
  await writeLine(identityJson(identityFromRawMessage(await readStdin(), options.country)));
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`blockline: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`blockline: unexpected error: ${errorDetail(error)}\n`);
    process.exitCode = 1;
  }
}
