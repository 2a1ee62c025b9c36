// A page holding only the DownloadPanel (or, with ?page=hub-settings, the Settings section for models), for
// e2e/download-panel.spec.ts: the spec supplies window.hone (the preload's Bridge shape) wired to a real
// core, and the catalogue entry to show in ?spec=.
import { createRoot } from 'react-dom/client';
import { DownloadPanel } from '../../../renderer/src/components/models/DownloadPanel';
import { HubSettings } from '../../../renderer/src/components/models/HubSettings';
import type { ModelSpec } from '../../../electron/shared/types/model';
import '../../../renderer/src/styles.css';

const params = new URLSearchParams(window.location.search);
const spec = JSON.parse(params.get('spec') ?? 'null') as ModelSpec | null;
createRoot(document.getElementById('root')!).render(params.get('page') === 'hub-settings' ? <HubSettings /> : <DownloadPanel spec={spec} plan={null} />);
