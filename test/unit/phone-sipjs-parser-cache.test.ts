import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  memoizePegDecode,
  SIPJS_GRAMMAR_PATH,
  sipJsParserCacheVitePlugin,
} from '../../renderer/phone/sipjs-parser-cache';

const require = createRequire(import.meta.url);
const grammarPath = join(
  dirname(require.resolve('sip.js/package.json')),
  'lib',
  'grammar',
  'pegjs',
  'dist',
  'grammar.js',
);
// Next to the original so its relative imports resolve.
const patchedPath = join(dirname(grammarPath), `grammar.blockline-test-${process.pid}.js`);

afterAll(() => rmSync(patchedPath, { force: true }));

type ParseFunction = (input: string, options: { startRule: string }) => unknown;

describe('memoizePegDecode', () => {
  it('patches the installed sip.js grammar, which then parses exactly as before', async () => {
    const original = readFileSync(grammarPath, 'utf8');
    const patched = memoizePegDecode(original);
    expect(patched).not.toBeNull();
    expect(patched).toContain('peg$decodeCache.get(s)');
    writeFileSync(patchedPath, patched ?? '');
    const before = (await import(pathToFileURL(grammarPath).href)) as { parse: ParseFunction };
    const after = (await import(pathToFileURL(patchedPath).href)) as { parse: ParseFunction };
    const samples: Array<[string, string]> = [
      ['"Alice" <sip:+12125550100@pbx.example.com;user=phone>;tag=abc', 'From'],
      ['SIP/2.0/WSS 192.0.2.1:443;branch=z9hG4bK776asdhds;rport', 'Via'],
      ['<sip:agent1@127.0.0.1;transport=ws>;expires=300', 'Contact'],
      ['42 INVITE', 'CSeq'],
    ];
    for (const [input, startRule] of samples) {
      // Twice: the second run uses the cached tables.
      expect(JSON.stringify(after.parse(input, { startRule }))).toBe(
        JSON.stringify(before.parse(input, { startRule })),
      );
      expect(JSON.stringify(after.parse(input, { startRule }))).toBe(
        JSON.stringify(before.parse(input, { startRule })),
      );
    }
    expect(() => after.parse('<<not a uri', { startRule: 'From' })).toThrow();
  });

  it('leaves code of another shape alone', () => {
    expect(memoizePegDecode('function peg$parse(input, options) {}')).toBeNull();
  });

  it('the Vite plugin only touches the grammar module', () => {
    const plugin = sipJsParserCacheVitePlugin();
    expect(plugin.transform('const x = 1;', '/app/src/main.ts')).toBeNull();
    expect(SIPJS_GRAMMAR_PATH.test(grammarPath)).toBe(true);
    expect(plugin.transform(readFileSync(grammarPath, 'utf8'), grammarPath)).toContain('peg$decodeCache');
  });
});
