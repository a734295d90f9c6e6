import { defineConfig } from 'vitest/config';

// Projects map to what each suite needs: `unit` needs nothing but Node,
// `integration` needs the real servers the test script starts (PostgreSQL, the SIP lab),
// `e2e` drives Debian's Chromium, `electron` the desktop app in a real Electron (the hosted workflow;
// where the binary is missing its suites report themselves skipped with the reason).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Property tests and the lint/schema probes take 1–2 s on a quiet machine; a busy one (a
          // second build, CI's neighbours) must not turn them into failures.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // The SIP lab binds fixed loopback ports: integration and e2e suites run one after the other.
          sequence: { groupOrder: 1 },
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          sequence: { groupOrder: 2 },
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'electron',
          include: ['test/electron/**/*.test.ts'],
          sequence: { groupOrder: 3 },
          environment: 'node',
          testTimeout: 120_000,
          // Packaging the app (electron-builder --dir) happens in a hook.
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
