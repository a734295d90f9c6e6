/**
 * A build-time fix for sip.js 0.21's SIP parser speed. Its grammar is a size-optimized pegjs parser that
 * declares its ~235 bytecode tables inside `peg$parse` and decodes every one of them from strings on
 * EVERY call — and sip.js calls it once per parsed header. Profiling the phone in Chromium showed
 * `peg$decode` + `peg$parseRule` as most of the time between an INVITE arriving and our 603 leaving.
 * The tables never change, so decoding each string once is safe; this rewrites `peg$decode` to cache.
 *
 * Use `sipJsParserCacheVitePlugin()` in vite.config.ts (the product build); the lab harness applies
 * `memoizePegDecode` through esbuild.
 */

export const SIPJS_GRAMMAR_PATH = /sip\.js[\\/]lib[\\/]grammar[\\/]pegjs[\\/]dist[\\/]grammar\.js$/;

const DECODE_FUNCTION =
  /function peg\$decode\(s\) \{\s*return s\.split\(""\)\.map\(\(ch\) => ch\.charCodeAt\(0\) - 32\);\s*\}/;
const PARSE_FUNCTION = /^function peg\$parse\(input, options\) \{/m;

/** The grammar module with a memoized `peg$decode`, or null when the code is not the expected shape. */
export function memoizePegDecode(code: string): string | null {
  if (!DECODE_FUNCTION.test(code) || !PARSE_FUNCTION.test(code)) return null;
  return code
    .replace(
      PARSE_FUNCTION,
      '// Blockline: decoded bytecode tables are shared by every parse (see renderer/phone/sipjs-parser-cache.ts).\n' +
        'const peg$decodeCache = new Map();\n' +
        'function peg$parse(input, options) {',
    )
    .replace(
      DECODE_FUNCTION,
      'function peg$decode(s) {\n' +
        '        let decoded = peg$decodeCache.get(s);\n' +
        '        if (decoded === undefined) {\n' +
        '            decoded = s.split("").map((ch) => ch.charCodeAt(0) - 32);\n' +
        '            peg$decodeCache.set(s, decoded);\n' +
        '        }\n' +
        '        return decoded;\n' +
        '    }',
    );
}

/** A Vite (Rollup) plugin applying `memoizePegDecode` to sip.js's grammar module. */
export function sipJsParserCacheVitePlugin(): {
  name: string;
  enforce: 'pre';
  transform(code: string, id: string): string | null;
} {
  return {
    name: 'blockline-sipjs-parser-cache',
    enforce: 'pre',
    transform(code, id) {
      if (!SIPJS_GRAMMAR_PATH.test(id)) return null;
      const patched = memoizePegDecode(code);
      if (patched === null) {
        console.warn('blockline-sipjs-parser-cache: sip.js grammar has an unexpected shape; left as is');
      }
      return patched;
    },
  };
}
