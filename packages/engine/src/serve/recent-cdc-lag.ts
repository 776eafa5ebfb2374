import type { PipelineConfig } from '../config/index.js';
import type { StateStore } from '../state/index.js';
import type { DashboardPipeline } from './render-dashboard.js';
import { LAG_CHART_WINDOW_MS } from './render-lag-chart.js';

/** The dashboard's CDC lag of a pipeline: its CDC streams and their samples of the last hour; none without CDC streams. */
export async function recentCdcLag(
  state: Pick<StateStore, 'listCdcLag'>,
  config: PipelineConfig,
  now: Date,
): Promise<Pick<DashboardPipeline, 'cdcLag'>> {
  const streams = config.source.streams.filter((s) => s.syncMode === 'cdc').map((s) => s.name);
  if (streams.length === 0) return {};
  const since = new Date(now.getTime() - LAG_CHART_WINDOW_MS).toISOString();
  return { cdcLag: { streams, samples: await state.listCdcLag({ pipeline: config.pipeline, since }) } };
}
