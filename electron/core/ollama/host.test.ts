import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ollamaBaseUrl } from './host';

describe('OLLAMA_HOST forms', () => {
  it('reads every form `ollama serve` accepts, connecting to loopback for bind-all addresses', () => {
    const cases: [string | null, string][] = [
      [null, 'http://127.0.0.1:11434'],
      ['', 'http://127.0.0.1:11434'],
      ['127.0.0.1:5000', 'http://127.0.0.1:5000'],
      ['localhost', 'http://localhost:11434'],
      [':5000', 'http://127.0.0.1:5000'],
      ['0.0.0.0', 'http://127.0.0.1:11434'],
      ['0.0.0.0:8080', 'http://127.0.0.1:8080'],
      ['http://0.0.0.0:8080', 'http://127.0.0.1:8080'],
      ['http://box.lan:11434/', 'http://box.lan:11434'],
      ['https://ollama.example.com', 'https://ollama.example.com:443'],
      ['http://example.com/ollama/', 'http://example.com:80/ollama'],
      ['[::]:11434', 'http://127.0.0.1:11434'],
    ];
    for (const [input, want] of cases) assert.equal(ollamaBaseUrl(input), want, String(input));
  });
});
