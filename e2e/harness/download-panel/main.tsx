// A page holding only the DownloadPanel, for e2e/download-panel.spec.ts: the spec supplies window.hone
// (the preload's Bridge shape) wired to a real core, and the catalogue entry to show in ?spec=.
import { createRoot } from 'react-dom/client';
import { DownloadPanel } from '../../../renderer/src/components/models/DownloadPanel';
import type { ModelSpec } from '../../../electron/shared/types/model';
import '../../../renderer/src/styles.css';

const spec = JSON.parse(new URLSearchParams(window.location.search).get('spec') ?? 'null') as ModelSpec | null;
createRoot(document.getElementById('root')!).render(<DownloadPanel spec={spec} plan={null} />);
