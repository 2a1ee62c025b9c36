/**
 * LM Studio's models folder under a throw-away HOME, found the ways LM Studio's own CLI finds it (home pointer,
 * the old ~/.cache/lm-studio, ~/.lmstudio, the downloadsFolder setting in either settings.json), and the GGUF
 * placed there as publisher/model/file: hard-linked on the same disk, copied across disks, replacing an older
 * copy without a moment where a half file is visible; refused with what to do when LM Studio is not set up.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { HoneError } from '../../shared/errors';
import { addToLmStudio, findLmStudio, lmStudioFolderName } from './lmstudio';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-lms-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
function home(): { HOME: string; XDG_CONFIG_HOME?: string } {
  const h = path.join(root, `home-${n++}`);
  fs.mkdirSync(h, { recursive: true });
  return { HOME: h };
}

describe('finding LM Studio', () => {
  it('not set up: null', () => {
    assert.equal(findLmStudio(home(), 'linux'), null);
  });

  it('~/.lmstudio: its models folder', () => {
    const env = home();
    fs.mkdirSync(path.join(env.HOME, '.lmstudio'));
    assert.deepEqual(findLmStudio(env, 'linux'), { home: path.join(env.HOME, '.lmstudio'), modelsDir: path.join(env.HOME, '.lmstudio', 'models'), from: 'default', settingsFile: null });
  });

  it('an older install in ~/.cache/lm-studio comes first, and the home pointer before both', () => {
    const env = home();
    fs.mkdirSync(path.join(env.HOME, '.lmstudio'));
    fs.mkdirSync(path.join(env.HOME, '.cache', 'lm-studio'), { recursive: true });
    assert.equal(findLmStudio(env, 'linux')?.home, path.join(env.HOME, '.cache', 'lm-studio'));
    const moved = path.join(root, `moved-${n}`);
    fs.mkdirSync(moved);
    fs.writeFileSync(path.join(env.HOME, '.lmstudio-home-pointer'), `${moved}\n`);
    assert.equal(findLmStudio(env, 'linux')?.modelsDir, path.join(moved, 'models'));
  });

  it('the models folder chosen in LM Studio (downloadsFolder), from the app-data settings.json or the home one', () => {
    const env = home();
    fs.mkdirSync(path.join(env.HOME, '.lmstudio'));
    fs.writeFileSync(path.join(env.HOME, '.lmstudio', 'settings.json'), JSON.stringify({ downloadsFolder: '~/big-disk/models' }));
    assert.deepEqual(findLmStudio(env, 'linux'), { home: path.join(env.HOME, '.lmstudio'), modelsDir: path.join(env.HOME, 'big-disk', 'models'), from: 'settings', settingsFile: path.join(env.HOME, '.lmstudio', 'settings.json') });
    const appData = path.join(env.HOME, '.config', 'LM Studio');
    fs.mkdirSync(appData, { recursive: true });
    fs.writeFileSync(path.join(appData, 'settings.json'), JSON.stringify({ downloadsFolder: '/srv/models', other: 1 }));
    assert.equal(findLmStudio(env, 'linux')?.modelsDir, '/srv/models');
    // A damaged or relative setting is ignored, as LM Studio's CLI ignores it.
    fs.writeFileSync(path.join(appData, 'settings.json'), '{ not json');
    fs.writeFileSync(path.join(env.HOME, '.lmstudio', 'settings.json'), JSON.stringify({ downloadsFolder: 'relative/models' }));
    assert.equal(findLmStudio(env, 'linux')?.modelsDir, path.join(env.HOME, '.lmstudio', 'models'));
  });

  it('folder names follow LM Studio’s rules', () => {
    assert.equal(lmStudioFolderName('my: "model"?'), 'my- -model-');
    assert.equal(lmStudioFolderName('..hidden.'), 'hidden');
    assert.equal(lmStudioFolderName('///'), '-');
  });
});

describe('adding a GGUF to LM Studio', () => {
  function gguf(dir: string, bytes = 'GGUF fake model'): string {
    fs.mkdirSync(dir, { recursive: true });
    const f = path.join(dir, 'support-bot-q4_K_M.gguf');
    fs.writeFileSync(f, bytes);
    return f;
  }

  it('hard-links it as hone/<model>/<file> on the same disk; a second add is a no-op', async () => {
    const env = home();
    fs.mkdirSync(path.join(env.HOME, '.lmstudio'));
    const src = gguf(path.join(env.HOME, 'run', 'exports'));
    let counted = 0;
    const added = await addToLmStudio({ gguf: src, publisher: 'hone', model: 'support-bot-GGUF', env, platform: 'linux', onBytes: (b) => (counted += b) });
    const dest = path.join(env.HOME, '.lmstudio', 'models', 'hone', 'support-bot-GGUF', 'support-bot-q4_K_M.gguf');
    assert.deepEqual(added, { path: dest, modelsDir: path.join(env.HOME, '.lmstudio', 'models'), linked: true, id: 'hone/support-bot-GGUF' });
    assert.equal(fs.statSync(dest).ino, fs.statSync(src).ino);
    assert.equal(counted, fs.statSync(src).size);
    assert.deepEqual(await addToLmStudio({ gguf: src, publisher: 'hone', model: 'support-bot-GGUF', env, platform: 'linux' }), added);
    assert.deepEqual(fs.readdirSync(path.dirname(dest)), ['support-bot-q4_K_M.gguf'], 'no temporary file left');
  });

  it('copies it across disks, with progress, and replaces an older copy', { skip: fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').dev !== fs.statSync(root).dev ? false : 'no second file system here' }, async () => {
    const env = home();
    const shm = fs.mkdtempSync('/dev/shm/hone-lms-');
    try {
      fs.writeFileSync(path.join(env.HOME, '.lmstudio-home-pointer'), shm);
      const old = path.join(shm, 'models', 'hone', 'm', 'support-bot-q4_K_M.gguf');
      fs.mkdirSync(path.dirname(old), { recursive: true });
      fs.writeFileSync(old, 'old copy');
      const src = gguf(path.join(env.HOME, 'run'), 'G'.repeat(3 << 20));
      let counted = 0;
      const added = await addToLmStudio({ gguf: src, publisher: 'hone', model: 'm', env, platform: 'linux', onBytes: (b) => (counted += b) });
      assert.equal(added.linked, false);
      assert.equal(added.path, old);
      assert.equal(fs.readFileSync(old, 'latin1'), 'G'.repeat(3 << 20));
      assert.equal(counted, 3 << 20);
    } finally {
      fs.rmSync(shm, { recursive: true, force: true });
    }
  });

  it('LM Studio not set up: LMSTUDIO_NOT_FOUND with where to get it, and nothing created', async () => {
    const env = home();
    const src = gguf(path.join(env.HOME, 'run'));
    await assert.rejects(addToLmStudio({ gguf: src, publisher: 'hone', model: 'm', env, platform: 'linux' }), (e: HoneError) => e.code === 'LMSTUDIO_NOT_FOUND' && /lmstudio\.ai/.test(e.hint ?? ''));
    assert.equal(fs.existsSync(path.join(env.HOME, '.lmstudio')), false);
  });
});
