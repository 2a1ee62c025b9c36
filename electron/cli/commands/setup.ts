/**
 * `hone setup [--cpu] [--force] [--json]`: creates (or checks) the Python environment the sidecar runs in,
 * the same way the app's setup screen does, and prints the Python it will use.
 */
import { noPositionals, parseArgs } from '../args';
import { EXIT, type CliIO } from '../io';
import { getRuntime } from '../../core/runtime/service';
import type { Progress } from '../../shared/types/progress';

export const summary = 'Install (or check) the Python environment used for training';

const HELP = `Usage: hone setup [--cpu] [--force] [--json]

Creates Hone's Python environment with uv: the PyTorch build for this machine's NVIDIA driver (or the
CPU stack), the pinned training packages, checked by importing them. A second run resumes a failed one
and returns at once when the environment is current. With a Python chosen in Settings (or HONE_PYTHON),
checks that Python instead.

  --cpu     install the CPU stack even when an NVIDIA GPU is present
  --force   reinstall even if the environment looks current
  --json    print progress events and the final status as JSON lines`;

function progressLine(p: Progress): string {
  const count = p.total ? ` ${p.done}/${p.total}` : p.done ? ` ${p.done}` : '';
  return `${p.stage}${count}${p.detail ? `: ${p.detail}` : ''}`;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { boolean: ['json', 'cpu', 'force'] });
  if (args.flags.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  noPositionals(args, 'setup');
  const json = args.flags.json === true;
  const { ctx } = io.core();
  let lastStage = '';
  const off = ctx.bus.on('runtime.progress', (p) => {
    if (json) return io.out(JSON.stringify({ type: 'progress', ...p }));
    // One line per stage, plus the downloads (slow enough that each one is worth a line).
    if (p.stage !== lastStage || p.stage.startsWith('Downloading')) io.out(progressLine(p));
    lastStage = p.stage;
  });
  try {
    const status = await getRuntime(ctx).install({ flavour: args.flags.cpu ? 'cpu' : 'auto', force: args.flags.force === true });
    if (json) {
      io.out(JSON.stringify({ type: 'status', ...status }));
    } else if (status.state === 'ready') {
      for (const p of status.problems) io.err(`warning: ${p}`);
      io.out(`Python environment ready (${status.flavour ?? 'unknown flavour'}): ${status.python}`);
    } else {
      io.err(`Setup failed: ${status.error?.message ?? status.state}`);
      if (status.error?.tail) io.err(status.error.tail.split('\n').map((l) => `  | ${l}`).join('\n'));
      for (const p of status.problems) io.err(`  - ${p}`);
      if (status.error?.hint) io.err(status.error.hint);
    }
    return status.state === 'ready' ? EXIT.OK : EXIT.FAIL;
  } finally {
    off();
  }
}
