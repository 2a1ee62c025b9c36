/** A file an export made: its name and size, and "Show in folder" (in headless mode: the path to open yourself). */
import { useExports } from '../../stores/exports';

export function formatSize(bytes: number): string {
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;
const dirName = (p: string) => p.slice(0, Math.max(0, p.length - baseName(p).length - 1)) || p;

export function FileLine({ path, bytes, detail }: { path: string; bytes: number; detail?: string }) {
  const reveal = useExports((s) => s.reveal);
  const headless = useExports((s) => s.revealed[path]);
  return (
    <div className="export-file" data-testid="export-file" data-path={path}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <span>
          <code>{baseName(path)}</code> <span className="muted">{formatSize(bytes)}</span>
        </span>
        <button type="button" data-testid="show-in-folder" onClick={() => void reveal(path)}>
          Show in folder
        </button>
      </div>
      {detail && <div className="muted export-detail">{detail}</div>}
      {headless && (
        <div className="muted" data-testid="revealed-path">
          Hone runs on a server here, so it cannot open a folder on your screen. The file is in <code>{dirName(path)}</code>.
        </div>
      )}
    </div>
  );
}
