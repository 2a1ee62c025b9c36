import { BrowserWindow, shell } from 'electron';
import { appUrlOf, hardenContents, hardenSession } from './security';

export function createMainWindow(opts: { preload: string; indexHtml: string }): BrowserWindow {
  const appUrl = appUrlOf(opts.indexHtml);
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 960,
    minHeight: 640,
    title: 'Hone',
    show: false,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  hardenSession(win.webContents.session);
  win.webContents.session.webRequest.onHeadersReceived((details, callback) => {
    // Written out here, not in a constant, so Electronegativity can read and evaluate it.
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': ["default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"],
      },
    });
  });
  // Navigation, new windows, frames and links: security.ts decides.
  hardenContents(win.webContents, appUrl, (url) => shell.openExternal(url));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(appUrl);
  return win;
}
