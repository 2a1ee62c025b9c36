/**
 * The system proxy for the core's Hub requests: Chromium's own resolver (OS settings, PAC scripts, WPAD),
 * answering in PAC form ("PROXY host:8080; DIRECT"). The core turns that answer into an undici ProxyAgent
 * (electron/core/models/http.ts), so every Hub request keeps one code path: redirects followed by hand, the
 * token only to the Hub's origin. Used only when neither Settings nor HTTPS_PROXY/HTTP_PROXY name a proxy.
 */
import type { App, Session } from 'electron';

export function systemProxyResolver(app: Pick<App, 'whenReady'>, session: () => Pick<Session, 'resolveProxy'>): (url: string) => Promise<string> {
  return async (url) => {
    await app.whenReady();
    return session().resolveProxy(url);
  };
}
