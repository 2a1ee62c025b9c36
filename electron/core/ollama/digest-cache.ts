/**
 * Remembers each file's SHA-256 by (path, size, mtime, inode), so sending the same run again (another name,
 * another quantisation, a retry after Ollama stopped) does not re-read gigabytes just to learn that Ollama
 * already has them. Any change to the file changes the key; a stale entry can only cost a cache miss.
 */
import fs from 'node:fs';
import path from 'node:path';

const MAX_ENTRIES = 2000;

export class DigestCache {
  private entries = new Map<string, string>();
  private loaded = false;

  constructor(private readonly file: string | null) {}

  private key(file: string): string | null {
    try {
      const st = fs.statSync(file);
      return `${path.resolve(file)}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
    } catch {
      return null;
    }
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (!this.file) return;
    try {
      const saved = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>;
      for (const [k, v] of Object.entries(saved)) if (typeof v === 'string' && v.startsWith('sha256:')) this.entries.set(k, v);
    } catch {
      // no cache yet, or unreadable: start empty
    }
  }

  get(file: string): string | null {
    this.load();
    const k = this.key(file);
    return k ? (this.entries.get(k) ?? null) : null;
  }

  set(file: string, digest: string): void {
    this.load();
    const k = this.key(file);
    if (!k) return;
    this.entries.delete(k);
    this.entries.set(k, digest);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    if (!this.file) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)));
      fs.renameSync(tmp, this.file);
    } catch {
      // a cache that cannot be written only costs a re-hash next time
    }
  }
}
