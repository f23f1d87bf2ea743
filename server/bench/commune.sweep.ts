import type { PipelineMode } from '../detect/camera.pipeline.js';
import { benchVerdict, type Verdict } from './bench.verdict.js';
import type { CommuneFleet } from './commune.fleet.js';
import { failedRun, runCommune, type CommuneRun, type CommuneRunOptions } from './commune.run.js';
import { YOLOX_MISSING, yoloxModel } from './model.rates.js';

/**
 * The commune sweep: the reference (one busy camera alone, naive), then pipeline and naive
 * mode each raised until a count is not held, with a bisection step between the last held
 * and the first not held; then YOLOX at the largest pipeline count held.
 */
export interface CommuneRow extends CommuneRun {
  verdict: Verdict;
  /** The row's alert latency (stamped camera), ms. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** The simulated camera's own delay: stamp → frame reaching BinhYen, median ms. */
  cameraLatencyP50Ms: number | null;
  clipReadyP95Ms: number | null;
}

export interface SweepOptions {
  fleet: CommuneFleet;
  pipelineSteps: number[];
  naiveSteps: number[];
  bisect: number;
  windowS: number;
  warmupS: number;
  drainS: number;
  yolox: boolean;
  say(l: string): void;
}

export interface SweepResult {
  reference: CommuneRow;
  rows: CommuneRow[];
  held: Record<PipelineMode, number>;
  yolox: CommuneRow | { skipped: string };
}

export const quantile = (xs: readonly number[], q: number): number | null =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : null;

function row(run: CommuneRun, referencePeople: number | null): CommuneRow {
  const verdict = benchVerdict({ targetFps: run.targetFps, cameras: run.perCamera, backlog: run.backlog, referencePeople, error: run.error });
  return {
    ...run, verdict,
    latencyP50Ms: quantile(run.latency.samplesMs, 0.5), latencyP95Ms: quantile(run.latency.samplesMs, 0.95), cameraLatencyP50Ms: quantile(run.latency.cameraMs, 0.5), clipReadyP95Ms: quantile(run.clips.readyMs, 0.95),
  };
}

export async function sweepCommune(o: SweepOptions): Promise<SweepResult> {
  const base: Omit<CommuneRunOptions, 'mode' | 'cameras' | 'detect'> = { fleet: o.fleet, windowS: o.windowS, warmupS: o.warmupS, drainS: o.drainS, say: o.say };
  o.say('  reference: one busy camera alone, naive');
  const refRun = await runCommune({ ...base, mode: 'naive', cameras: 1, detect: {} });
  const referencePeople = refRun.perCamera[0]?.people ?? null;
  const reference = row(refRun, referencePeople);
  const rows: CommuneRow[] = [reference];
  const one = async (mode: PipelineMode, n: number, detect: CommuneRunOptions['detect'] = {}) => {
    // A count the server cannot carry may fail outright (a query timing out in the overloaded server):
    // that is a "not held" row with its reason, and the sweep goes on to what it has not measured yet.
    const run = await runCommune({ ...base, mode, cameras: n, detect }).catch((err: unknown) => failedRun(mode, n, err));
    const r = row(run, referencePeople);
    const v = r.verdict;
    o.say(`  ${mode} × ${n}: ${v.held ? 'held' : 'NOT held: ' + v.reasons.join('; ')} (min ${v.minAnalysedFps} fps, ${r.modelCallsPerSecond} model calls/s (${Math.round((r.wideShare ?? 0) * 100)} % on the 16:9 twin), dropped ${Math.round(v.dropRatio * 1000) / 10} %, people/busy ${v.busyPeople} vs ${referencePeople}, CPU ${r.cpu.totalPercent} %, sim ${r.cpu.simulatorPercent} %)`);
    return r;
  };
  const held: Record<PipelineMode, number> = { naive: reference.verdict.held ? 1 : 0, pipeline: 0 };
  for (const mode of ['pipeline', 'naive'] as const) {
    const steps = (mode === 'naive' ? o.naiveSteps : o.pipelineSteps).filter((n) => n > held[mode]);
    let firstNot: number | null = null;
    for (const n of steps) {
      const r = await one(mode, n);
      rows.push(r);
      if (!r.verdict.held) {
        firstNot = n;
        break;
      }
      held[mode] = n;
    }
    // A little bisection between the last held and the first not held.
    // (Never below 2: one camera alone is the reference, already run.)
    for (let i = 0; i < o.bisect && firstNot !== null && firstNot - Math.max(1, held[mode]) > 1; i++) {
      const mid = Math.round((Math.max(1, held[mode]) + firstNot) / 2);
      const r = await one(mode, mid);
      rows.push(r);
      if (r.verdict.held) held[mode] = mid;
      else firstNot = mid;
    }
  }
  let yolox: CommuneRow | { skipped: string } = { skipped: o.yolox ? YOLOX_MISSING : 'not run in --quick mode' };
  const model = yoloxModel();
  if (o.yolox && model) {
    const n = Math.max(held.pipeline, o.pipelineSteps[0] ?? 1);
    o.say(`  YOLOX-nano 416 at ${n} cameras (pipeline)`);
    yolox = await one('pipeline', n, { backend: 'onnx', model: { type: 'yolox', path: model.path, inputSize: model.inputSize, wide: true } });
  } else if (o.yolox) o.say(`  ${YOLOX_MISSING}`);
  return { reference, rows, held, yolox };
}
