import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../app';
import { DEFAULT_COSTS } from '../../shared/eval-cost';

test('evalCost takes one field at a time: two quick edits both stay (the report page commits each field as it is left)', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-settings-'));
  const core = createCore({ mode: 'headless', paths: { dataDir }, env: {} });
  try {
    const set = core.handlers['settings.set'];
    // Sent back to back, as the page does when the user tabs from one price to the next.
    await Promise.all([set({ evalCost: { hostedPricePer1M: 0.6 } }), set({ evalCost: { pricePerKwh: 0.3 } })]);
    await set({ evalCost: { watts: 65 } });
    const want = { ...DEFAULT_COSTS, hostedPricePer1M: 0.6, pricePerKwh: 0.3, watts: 65 };
    assert.deepEqual((await core.handlers['settings.get']()).evalCost, want);
    // Kept on disk as well: a restarted Hone reads the same.
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8')).evalCost, want);
    await set({ evalCost: { hostedPricePer1M: null } });
    assert.equal((await core.handlers['settings.get']()).evalCost?.hostedPricePer1M, null, 'a field can be cleared');
  } finally {
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
