/** The eval channels (see electron/shared/contract.ts for their params). */
import { HoneError } from '../../shared/errors';
import type { RequestHandlers } from '../../shared/contract';
import type { CostSettings, EvalRecord, EvalReport } from '../../shared/types/eval';
import type { CoreContext } from '../context';
import { getRunManager } from '../runs/service';
import { requireRunId } from '../runs/validate';
import { getRunStore } from '../store';
import { reportHtml, type ReportMeta } from './report-html';
import { reportMarkdown } from './report-markdown';
import { connect } from '../ollama/client';
import { ensureBaseInOllama } from './ollama-base';
import { getEvalService } from './service';
import { resolveEvalTarget } from './source';

type EvalChannels = 'eval.start' | 'eval.stop' | 'eval.get' | 'eval.ollama' | 'eval.export' | 'eval.baseModel';

const optionalString = (v: unknown, name: string): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new HoneError('BAD_REQUEST', `${name} must be text.`);
  return v;
};

export interface ExportedReport {
  filename: string;
  mime: string;
  content: string;
}

/** The report as a file: `format` html (self-contained) or markdown; costs from Settings.evalCost. */
export function renderReport(report: EvalReport, meta: ReportMeta, format: 'html' | 'markdown', costs: Partial<CostSettings> | null): ExportedReport {
  const slug = meta.runName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'run';
  return format === 'html'
    ? { filename: `hone-report-${slug}.html`, mime: 'text/html', content: reportHtml(report, meta, costs) }
    : { filename: `hone-report-${slug}.md`, mime: 'text/markdown', content: reportMarkdown(report, meta, costs) };
}

export function reportMeta(ctx: CoreContext, record: EvalRecord): ReportMeta {
  const run = getRunStore(ctx).getRun(record.runId);
  return { runId: record.runId, runName: run?.name ?? record.runId, model: run?.model ?? record.report?.models.base ?? '', generatedAt: new Date().toISOString(), dataSource: record.dataSource };
}

export function createEvalHandlers(ctx: CoreContext): Pick<RequestHandlers, EvalChannels> {
  const service = () => getEvalService(ctx);
  return {
    'eval.start': async (p) => {
      const runId = requireRunId(p);
      // Both would want the same GPU; the evaluation after training already waits its turn in the queue.
      const training = getRunManager(ctx).trainingRunId();
      if (training) throw new HoneError('RUN_BUSY', `Run ${training} is training on this machine right now.`, 'Evaluate when it has finished.');
      return service().start(runId, { data: optionalString(p.data, 'data') ?? null, limit: p.limit, maxNewTokens: p.maxNewTokens, trigger: 'manual' });
    },
    'eval.stop': async (p) => ({ stopped: service().stop(requireRunId(p)) }),
    'eval.get': async (p) => service().latest(requireRunId(p)),
    'eval.baseModel': async (p) => {
      const target = await resolveEvalTarget(ctx, requireRunId(p));
      const base = await ensureBaseInOllama(ctx, connect(ctx), target, target.exports.at(-1) ?? null, (e) => ctx.bus.emit('ollama.progress', e));
      return base;
    },
    'eval.ollama': async (p) => {
      const runId = requireRunId(p);
      const out = await service().ollama(runId, { tunedModel: optionalString(p.tunedModel, 'tunedModel'), baseModel: optionalString(p.baseModel, 'baseModel') });
      return out.record ?? service().latest(runId)!;
    },
    'eval.export': async (p) => {
      const runId = requireRunId(p);
      if (p.format !== 'html' && p.format !== 'markdown') throw new HoneError('BAD_REQUEST', 'format must be "html" or "markdown".');
      const record = getRunStore(ctx).evals.latestWithReport(runId);
      if (!record?.report) throw new HoneError('NOT_FOUND', 'This run has no evaluation report to export yet.', 'Evaluate it first.');
      return renderReport(record.report, reportMeta(ctx, record), p.format, ctx.settings.get().evalCost ?? null);
    },
  };
}
