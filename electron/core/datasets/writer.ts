/** Buffered JSONL output that respects the stream's backpressure, so a large import stays in constant memory. */
import fs from 'node:fs';
import { once } from 'node:events';

const FLUSH_AT = 1 << 20;

export class JsonlWriter {
  private stream: fs.WriteStream;
  private buf: string[] = [];
  private size = 0;
  rows = 0;

  constructor(readonly file: string) {
    this.stream = fs.createWriteStream(file, { encoding: 'utf8' });
  }

  async write(json: string): Promise<void> {
    this.buf.push(json, '\n');
    this.size += json.length + 1;
    this.rows++;
    if (this.size >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.buf.length) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }

  destroy(): void {
    this.stream.destroy();
  }
}
