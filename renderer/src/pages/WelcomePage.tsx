/**
 * First launch: check the machine, set up Python with a progress bar, then the wizard — or the demo,
 * which a user without an NVIDIA GPU can run end to end.
 */
import { useEffect, useState } from 'react';
import { bridge, errorText } from '../bridge';
import { useWizard } from '../stores/wizard';
import { useRuntime } from '../stores/runtime';
import { useDataset } from '../stores/dataset';
import { ProgressBar } from '../components/ProgressBar';
import { MachineChecks } from '../components/welcome/MachineChecks';
import type { Hardware } from '../../../electron/shared/types/hardware';
import type { OllamaStatus } from '../../../electron/shared/types/ollama';

export function WelcomePage() {
  const [hardware, setHardware] = useState<Hardware | null>(null);
  const [ollama, setOllama] = useState<OllamaStatus | null>(null);
  const [error, setError] = useState<{ message: string; hint?: string } | null>(null);
  const runtime = useRuntime();
  const patch = useWizard((s) => s.patch);
  const goTo = useWizard((s) => s.goTo);

  useEffect(() => {
    bridge.invoke('hardware.get').then((hw) => {
      setHardware(hw);
      patch({ hardware: hw });
    }, (e) => setError(errorText(e)));
    bridge.invoke('ollama.status').then(setOllama, () => setOllama({ running: false, host: '', version: null }));
    void runtime.load();
  }, []);

  const installing = runtime.status?.state === 'installing' || (runtime.progress !== null && runtime.status?.state !== 'ready' && !runtime.error);
  const ready = runtime.status?.state === 'ready';

  const finish = async (demo: boolean) => {
    setError(null);
    try {
      await bridge.invoke('settings.set', { onboarded: true });
      if (demo) {
        const [models, samples] = await Promise.all([bridge.invoke('catalog.list'), bridge.invoke('datasets.samples')]);
        const model = models.find((m) => m.demo) ?? null;
        // The demo's own sample (a house style SmolLM2 learns in minutes), evaluated on its held-out prompts.
        const sample = samples.find((s) => s.demo) ?? samples.find((s) => s.objective === 'sft') ?? null;
        patch({ model, objective: 'sft', dataset: sample ? { path: sample.path, report: null, imported: null } : null });
        if (sample) useDataset.getState().set({ path: sample.path, format: null, mapping: {}, evalPath: sample.evalPath ?? '' });
        goTo(sample ? 'dataset' : 'model');
      } else {
        goTo('hardware');
      }
    } catch (e) {
      setError(errorText(e));
    }
  };

  const noGpu = hardware !== null && hardware.selectedGpu === null;
  return (
    <div className="wizard" style={{ gridTemplateColumns: '1fr' }}>
      <section className="card hero" data-testid="welcome">
        <h2>Welcome to Hone</h2>
        <p>
          Hone fine-tunes an open model (Llama, Qwen, Mistral, Gemma, Phi) on your own data and your own NVIDIA GPU, then runs it in
          Ollama. First, a quick look at this machine.
        </p>
        <MachineChecks hardware={hardware} ollama={ollama} runtime={runtime.status} />
        {noGpu && (
          <p className="banner info" data-testid="welcome-cpu-note">
            No NVIDIA GPU here: small models train on the CPU, large ones need a GPU. Try the demo: SmolLM2 (135M) learns a house style
            on this CPU in a few minutes, then chats in Ollama beside the model it started from.
          </p>
        )}
        {runtime.progress && !ready && <ProgressBar progress={runtime.progress} testId="runtime-progress" />}
        {(error ?? runtime.error) && (
          <div className="banner error" role="alert">
            {(error ?? runtime.error)!.message}
            {(error ?? runtime.error)!.hint && <div className="muted">{(error ?? runtime.error)!.hint}</div>}
            {runtime.status?.error?.tail && <pre className="log">{runtime.status.error.tail}</pre>}
          </div>
        )}
        <div className="row">
          {!ready && (
            <button type="button" className="primary" data-testid="runtime-install" disabled={installing} onClick={() => void runtime.install()}>
              {runtime.status?.state === 'failed' ? 'Try again' : installing ? 'Setting up Python…' : 'Set up Python environment'}
            </button>
          )}
          <button type="button" className={ready ? 'primary' : ''} data-testid="welcome-demo" disabled={!ready} onClick={() => void finish(true)}>
            Try the demo
          </button>
          <button type="button" data-testid="welcome-continue" disabled={!ready} onClick={() => void finish(false)}>
            Start a fine-tune
          </button>
        </div>
      </section>
    </div>
  );
}
