/**
 * Checking views as the UI e2e tests do: axe-core's serious violations and a screenshot of each view,
 * in both themes, and the copies of the README's screenshots in docs/.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT, SCREENSHOT_DIR, screenshot, seriousViolations, type AxeViolation } from './ui-harness';

/** Where the README's screenshots live (copied there by the tests that take them). */
export const DOCS_DIR = join(REPO_ROOT, 'docs');
/** Every view is checked and photographed in both. */
export const THEMES = ['light', 'dark'] as const;

/** A view's serious axe violations, under the view's name. */
export interface ViewViolations {
  view: string;
  violations: AxeViolation[];
}

/**
 * For a test that walks through views: `check(page, view)` lets the page settle for `settleMs` (so the
 * screenshot and the contrast checks see the final state), keeps its serious axe violations in
 * `found`, and saves its screenshot as `view`. The test asserts on `found` when it has seen them all.
 */
export function viewChecker(settleMs: number): {
  found: ViewViolations[];
  check(page: Page, view: string): Promise<void>;
} {
  const found: ViewViolations[] = [];
  return {
    found,
    async check(page, view) {
      await page.waitForTimeout(settleMs);
      const violations = await seriousViolations(page);
      if (violations.length > 0) found.push({ view, violations });
      await screenshot(page, view);
    },
  };
}

/** Copies the saved screenshots `<view>-<theme>.png` to docs/, where the README shows them. */
export function copyScreenshotsToDocs(views: readonly string[], themes: readonly string[] = THEMES): void {
  mkdirSync(DOCS_DIR, { recursive: true });
  for (const theme of themes) {
    for (const view of views) {
      copyFileSync(join(SCREENSHOT_DIR, `${view}-${theme}.png`), join(DOCS_DIR, `${view}-${theme}.png`));
    }
  }
}
