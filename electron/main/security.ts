/**
 * The Electron shell's security decisions, as plain functions over the few Electron objects they touch
 * (typed with Pick, so test/fake-electron.ts can stand in for them):
 *   - the window shows Hone's page and nothing else: navigation, redirects, new windows, frames and
 *     dropped files that would navigate are all refused;
 *   - IPC answers only Hone's page in the main frame (event.senderFrame);
 *   - every web permission (camera, notifications, ...) is denied, asked or checked;
 *   - links open in the user's browser only for https and an allow-listed host.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Event, HandlerDetails, Session, WebContents, WebFrameMain } from 'electron';

/** The hosts the app links to (the Ollama download page, model pages on the Hub, the project). */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set(['ollama.com', 'huggingface.co', 'github.com']);

/** The one URL the window may show, and the only page IPC answers. */
export function appUrlOf(indexHtml: string): string {
  return pathToFileURL(path.resolve(indexHtml)).href;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The app's own page: the same URL as appUrl, up to the fragment (in-page anchors). */
export function isAppUrl(url: string, appUrl: string): boolean {
  const a = parse(url);
  const b = parse(appUrl);
  if (!a || !b) return false;
  a.hash = '';
  b.hash = '';
  return a.href === b.href;
}

/** https, a host on the list (exactly: no look-alike subdomains), no user:password@ part. */
export function externalUrlAllowed(url: string): boolean {
  const u = parse(url);
  return !!u && u.protocol === 'https:' && EXTERNAL_HOSTS.has(u.hostname) && !u.username && !u.password && (u.port === '' || u.port === '443');
}

type Frame = Pick<WebFrameMain, 'url'> & { parent: unknown };

/** An IPC call is answered only for Hone's page in the window's main frame (not an iframe, not another page). */
export function senderAllowed(frame: Frame | null | undefined, appUrl: string): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url, appUrl);
}

export type HardenableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** Wires the navigation rules into a window's webContents. */
export function hardenContents(contents: HardenableContents, appUrl: string, openExternal: (url: string) => unknown): void {
  const guard = (event: Pick<Event, 'preventDefault'>, url: string) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  };
  // A link, a script or a file dropped onto the window (Chromium navigates to it) all arrive here.
  contents.on('will-navigate', (event, url) => guard(event, url));
  contents.on('will-redirect', (event, url) => guard(event, url));
  // The app has no frames of its own: any frame navigating is someone else's content.
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // New windows never open inside the app; allowed links go to the user's browser.
  contents.setWindowOpenHandler(({ url }: HandlerDetails) => {
    if (externalUrlAllowed(url)) void openExternal(url);
    return { action: 'deny' };
  });
}

export type HardenableSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

/** Hone needs no web permission: every request and every check is refused. */
export function hardenSession(session: HardenableSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
