// A stand-in for the app in the parent-death test: starts a sidecar training, reports its pid once
// training runs, then waits to be killed. Run with `node --import tsx`.
import { SidecarProcess } from '../process';

const [python, runtimeDir, configJson] = process.argv.slice(2);
const sidecar = new SidecarProcess({ python, pythonRuntimeDir: runtimeDir, offline: true });
sidecar.on('event', (e) => {
  if (e.type === 'metrics') process.stdout.write(`${JSON.stringify({ pid: sidecar.pid, step: e.step })}\n`);
});
await sidecar.start(JSON.parse(configJson) as Record<string, unknown>);
setInterval(() => {}, 60_000);
