#!/usr/bin/env node
// The one test command (`npm test`, called by .ci/run). Dependency-free on purpose: it runs on a fresh
// clone before anything is installed. It installs what is missing (Debian packages, npm packages), then
// runs every check and suite that can run on this machine and ends with one summary line:
//   N passed, N failed, N skipped
// Suites that start Chromium, SIP parts or servers run inside a network namespace that holds only
// loopback, so no test packet can leave the machine (WebRTC otherwise gathers candidates on every
// interface and multicasts mDNS).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages, ensureNodeModules, say, run } from './setup-lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick'); // unit suite and static checks only, for a fast local loop

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function check(name, command, commandArgs, options = {}) {
  say(`check: ${name}`);
  const result = run(command, commandArgs, options);
  if (result.status === 0) {
    totals.passed += 1;
  } else {
    totals.failed += 1;
    failures.push(name);
  }
}

function canIsolateNetwork() {
  const probe = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

function vitestSuites(projects, { isolate }) {
  const resultsDir = join(root, 'test-results');
  mkdirSync(resultsDir, { recursive: true });
  const outputFile = join(resultsDir, `vitest-${projects.join('-')}.json`);
  rmSync(outputFile, { force: true });
  const vitestArgs = [
    'vitest',
    'run',
    ...projects.flatMap((project) => ['--project', project]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${outputFile}`,
  ];
  say(`suites: ${projects.join(', ')}${isolate ? ' (inside a loopback-only network namespace)' : ''}`);
  let status;
  if (isolate) {
    const inner = `ip link set lo up && exec npx ${vitestArgs.map((a) => `'${a}'`).join(' ')}`;
    status = run('unshare', ['-n', 'bash', '-c', inner]).status;
  } else {
    status = run('npx', vitestArgs).status;
  }
  if (!existsSync(outputFile)) {
    totals.failed += 1;
    failures.push(`vitest ${projects.join(',')} (no report written, exit ${status})`);
    return;
  }
  const report = JSON.parse(readFileSync(outputFile, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  if (report.numFailedTests > 0)
    failures.push(`vitest ${projects.join(',')}: ${report.numFailedTests} failed`);
  // A suite file that fails to load counts no test but must not pass silently.
  const brokenFiles = report.testResults.filter(
    (file) => file.status === 'failed' && file.assertionResults.length === 0,
  );
  for (const file of brokenFiles) {
    totals.failed += 1;
    failures.push(
      `could not run ${file.name.replace(root + '/', '')}: ${String(file.message).split('\n')[0]}`,
    );
  }
  if (status !== 0 && report.numFailedTests === 0 && brokenFiles.length === 0) {
    totals.failed += 1;
    failures.push(`vitest ${projects.join(',')} exited ${status}`);
  }
}

const started = Date.now();
ensureDebianPackages('test');
ensureNodeModules();

check('lint (eslint)', 'npx', ['eslint', '.', '--max-warnings', '0']);
check('format (prettier --check)', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']);
check('types (tsc, whole project)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
check('types (tsc, shared/ without DOM or Node)', 'npx', ['tsc', '-p', 'tsconfig.shared.json', '--noEmit']);
check('build (renderer and Electron bundles)', 'npm', ['run', '--silent', 'build']);

vitestSuites(['unit'], { isolate: false });
if (!quick) {
  if (canIsolateNetwork()) {
    vitestSuites(['integration', 'e2e'], { isolate: true });
    // The desktop app in a real Electron: skipped here, with the reason, when the binary is missing.
    vitestSuites(['electron'], { isolate: true });
  } else {
    say(
      'cannot create a network namespace (needs root or user namespaces): integration and e2e suites NOT run',
    );
    totals.failed += 1;
    failures.push('integration and e2e suites could not run: no network namespace');
  }
}

const seconds = Math.round((Date.now() - started) / 1000);
say(`finished in ${seconds} s`);
for (const failure of failures) say(`FAILED: ${failure}`);
const ranNothing = totals.passed + totals.failed === 0;
if (ranNothing) say('no test ran: that is a failure');
// The plain closing line CI reads.
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || ranNothing ? 1 : 0);
