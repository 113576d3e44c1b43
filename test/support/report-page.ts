/**
 * A page of a browser context that watches what a self-contained report must never do: every
 * request that is not `local` is recorded and refused, console errors and warnings (CSP
 * violations among them) and uncaught exceptions are recorded, dialogs are recorded and dismissed.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface WatchedPage {
  page: Page;
  /** Console errors and warnings and uncaught exceptions. */
  problems: string[];
  dialogs: string[];
  /** Every request that was not local. */
  network: string[];
}

export async function watchedPage(context: BrowserContext, local: RegExp): Promise<WatchedPage> {
  const network: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (local.test(url)) return route.continue();
    network.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, problems, dialogs, network };
}
