import { useEffect, useState } from 'react';
import { announceReady, connectionListeners, unauthorized, unauthorizedListeners } from './bridge';
import { useWizard, type View } from './stores/wizard';
import { Wizard } from './components/Wizard';
import { RunsPage } from './pages/RunsPage';
import { ChatPage } from './pages/ChatPage';
import { SettingsPage } from './pages/SettingsPage';
import { WelcomePage } from './pages/WelcomePage';
import { useSettings } from './stores/settings';

const NAV: { id: View; label: string }[] = [
  { id: 'wizard', label: 'New fine-tune' },
  { id: 'runs', label: 'Runs' },
  { id: 'chat', label: 'Chat' },
  { id: 'settings', label: 'Settings' },
];

export function App() {
  const view = useWizard((s) => s.view);
  const setView = useWizard((s) => s.setView);
  const [connected, setConnected] = useState(true);
  const [refused, setRefused] = useState(unauthorized);
  // Nothing is shown until settings say whether this is a first launch, so the welcome screen never
  // replaces a view the user already navigated to.
  const [booted, setBooted] = useState(false);

  useEffect(() => {
    announceReady();
    // A first launch (nothing onboarded yet) starts on the welcome screen.
    void useSettings.getState().load().then((s) => {
      if (s && !s.onboarded) setView('welcome');
      setBooted(true);
    });
    const l = (c: boolean) => setConnected(c);
    const u = () => setRefused(true);
    connectionListeners.add(l);
    unauthorizedListeners.add(u);
    return () => {
      connectionListeners.delete(l);
      unauthorizedListeners.delete(u);
    };
  }, []);

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Hone</span>
        <nav>
          {NAV.map((n) => (
            <button key={n.id} type="button" data-testid={`nav-${n.id}`} className={view === n.id ? 'active' : ''} onClick={() => setView(n.id)}>
              {n.label}
            </button>
          ))}
        </nav>
        {!connected && !refused && <span className="badge warn" role="status">Reconnecting…</span>}
      </header>
      {refused && (
        <section className="card error-box" role="alert" data-testid="no-token">
          This page has no valid Hone token. Open the URL Hone printed when it started (it ends in ?token=…).
        </section>
      )}
      {booted && view === 'welcome' && <WelcomePage />}
      {booted && view === 'wizard' && <Wizard />}
      {booted && view === 'runs' && <RunsPage />}
      {booted && view === 'chat' && <ChatPage />}
      {booted && view === 'settings' && <SettingsPage />}
    </div>
  );
}
