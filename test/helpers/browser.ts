/**
 * Real Chromium (Debian's package) driven by playwright-core, for the dashboard's end-to-end tests.
 * Never downloads a browser: `executablePath` points at /usr/bin/chromium (scripts/services.sh start
 * chromium installs it).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium, type Browser as PwBrowser, type Page } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--force-color-profile=srgb',
];

export class BrowserPage {
  /** Console output and uncaught exceptions of the page, for failure messages. */
  readonly logs: string[] = [];

  constructor(readonly page: Page) {
    page.on('console', (m) => this.logs.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.logs.push(`exception: ${e.message}`));
  }

  /** Navigates and waits for the load event. */
  async navigate(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  }

  /** Evaluates an expression in the page (promises awaited) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T> {
    return this.page.evaluate(expression) as Promise<T>;
  }

  /** Polls `check` until it returns a truthy value. */
  async waitFor<T>(check: () => Promise<T>, what: string, timeoutMs = 60_000, everyMs = 100): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const v = await check();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\npage logs:\n${this.logs.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** Saves a PNG of the viewport (or of the whole page). */
  async screenshot(path: string, fullPage = false): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    await this.page.screenshot({ path, fullPage });
  }
}

export interface Browser {
  page: BrowserPage;
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh profile and one page of width × height. */
export async function launchChromium(executable: string, width = 1280, height = 800): Promise<Browser> {
  const browser: PwBrowser = await chromium.launch({ executablePath: executable, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
  try {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
    const page = new BrowserPage(await context.newPage());
    return { page, close: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
