/// <reference lib="dom" />
// The dashboard `rapidbyte serve` renders at `/`, as a browser shows it: serve runs as a child
// process, pipelines run through the API, and Debian's Chromium (headless, driven by
// puppeteer-core, which never downloads a browser) opens `/`. The page must list every pipeline
// with its schedule and paused badge, one colored cell per recorded run in the order and status
// the API reports, the last run's streams with their committed rows, and for a CDC pipeline the
// chart of its stream's lag over the last hour (sampled at its commits). The page is saved to
// docs/dashboard.png (the README shows it). No Chromium is a failure with the fix, never a skip.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  databaseScope,
  pgPipeline,
  rowCount,
  testPg,
  waitFor,
  type PipelineDoc,
  type TestDatabase,
} from '../support/e2e.js';
import { SERVE_TOKEN, api, projectDir, serve, stopServe, type Serving } from '../support/serve-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(REPO_ROOT, 'docs', 'dashboard.png');

const cluster = testPg();
const scope = databaseScope(cluster);

interface RunView {
  runId: number;
  status: string;
}

/** What the page shows of one pipeline, read from the DOM. */
interface SectionView {
  title: string;
  text: string;
  cells: { fill: string; title: string }[];
  rows: string[][];
  lagCharts: { label: string; marks: number }[];
}

function pipelineDoc(name: string, src: TestDatabase, dst: TestDatabase, tables: string[], extra = {}): PipelineDoc {
  return {
    ...pgPipeline({
      name,
      src,
      dst,
      streams: tables.map((t) => ({ name: t, sync_mode: 'full_refresh' })),
      writeMode: 'replace',
    }),
    ...extra,
  };
}

describe('the serve dashboard in headless Chromium', () => {
  let browser: Browser | undefined;
  let served: Serving | undefined;

  beforeAll(() => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y --no-install-recommends chromium\` (.ci/run installs it)`,
      );
  });

  afterAll(async () => {
    await browser?.close();
    if (served) await stopServe(served);
    await scope.dropAll();
  });

  it('lists the pipelines with their schedules, one cell per run in the API order and status, and the last run streams', async () => {
    const src = await scope.create(
      'dash_src',
      `CREATE TABLE public.orders (id bigint PRIMARY KEY, amount numeric(10,2) NOT NULL);
       INSERT INTO public.orders SELECT g, g * 1.25 FROM generate_series(1, 1200) g;
       CREATE TABLE public.customers (id bigint PRIMARY KEY, name text NOT NULL);
       INSERT INTO public.customers SELECT g, 'customer ' || g FROM generate_series(1, 300) g;
       CREATE TABLE public.events (id bigint PRIMARY KEY, kind text NOT NULL);
       INSERT INTO public.events SELECT g, 'seed' FROM generate_series(1, 100) g;`,
    );
    const dst = await scope.create('dash_dst');
    const sys = await scope.create('dash_sys');
    const dir = projectDir([
      pipelineDoc('orders', src, dst, ['public.orders', 'public.customers'], {
        schedule: { cron: '0 3 * * *', timezone: 'UTC' },
      }),
      // its table does not exist: every run fails
      pipelineDoc('broken', src, dst, ['public.missing']),
      // serve follows a CDC pipeline from the start
      pgPipeline({
        name: 'events',
        src,
        dst,
        streams: [{ name: 'public.events', sync_mode: 'cdc' }],
        writeMode: 'upsert',
      }),
    ]);
    served = await serve(dir, sys);
    const s = served;
    const trigger = async (pipeline: string): Promise<string> =>
      (
        await api<{ status: string }>(s, `/pipelines/${pipeline}/trigger`, {
          method: 'POST',
          token: SERVE_TOKEN,
          body: { wait: true },
        })
      ).body.status;
    expect(await trigger('orders')).toBe('succeeded');
    expect(await trigger('broken')).toBe('failed');
    expect(await trigger('orders')).toBe('succeeded');
    expect(await trigger('orders')).toBe('succeeded');
    expect((await api(s, '/pipelines/broken/pause', { method: 'POST', token: SERVE_TOKEN })).status).toBe(200);
    const runsOf = async (pipeline: string): Promise<RunView[]> =>
      (await api<RunView[]>(s, `/runs?pipeline=${pipeline}&limit=30`)).body;
    // changes stream through the follower: its commits record lag samples
    await waitFor(
      'the CDC snapshot',
      async () => ((await rowCount(dst, 'public.events').catch(() => 0)) === 100 ? true : undefined),
      { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
    );
    // a change per poll: the engine keeps one sample per stream per 10 s, so the line needs changes that long
    let id = 100;
    await waitFor(
      'two CDC lag samples on the dashboard',
      async () => {
        id += 1;
        await cluster.psql(src.name, `INSERT INTO public.events VALUES (${id}, 'change')`);
        return (await (await fetch(`${s.url}/`)).text()).includes('2 samples)') ? true : undefined;
      },
      { cli: s.cli, timeoutMs: 90_000, intervalMs: 1000 },
    );
    const orderRuns = await runsOf('orders');
    const brokenRuns = await runsOf('broken');
    expect(orderRuns.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(3);

    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // root (CI) cannot use Chromium's sandbox; /dev/shm is small in containers
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    const page = await browser.newPage();
    // a short viewport: the full-page screenshot is as tall as the content
    await page.setViewport({ width: 1000, height: 200, deviceScaleFactor: 1 });
    const response = await page.goto(`${s.url}/`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('rapidbyte serve');
    const sections = await page.$$eval('section', (elements) =>
      elements.map((section): SectionView => ({
        title: section.querySelector('h2')?.textContent ?? '',
        text: section.textContent ?? '',
        cells: [...section.querySelectorAll('.strip rect')].map((rect) => ({
          fill: rect.getAttribute('fill') ?? '',
          title: rect.querySelector('title')?.textContent ?? '',
        })),
        rows: [...section.querySelectorAll('tbody tr')].map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
        ),
        // a line (two or more samples) or a dot (one) per charted stream
        lagCharts: [...section.querySelectorAll('.lag svg')].map((svg) => ({
          label: svg.getAttribute('aria-label') ?? '',
          marks:
            (svg.querySelector('polyline')?.getAttribute('points') ?? '').split(' ').filter(Boolean).length +
            svg.querySelectorAll('circle').length,
        })),
      })),
    );
    const section = (name: string): SectionView => {
      const found = sections.find((x) => x.title.split(' ')[0] === name);
      expect(found, `a section for ${name} in ${JSON.stringify(sections.map((x) => x.title))}`).toBeDefined();
      return found as SectionView;
    };
    expect(sections.map((x) => x.title.split(' ')[0]).sort()).toEqual(['broken', 'events', 'orders']);
    const events = section('events');
    expect(events.lagCharts).toEqual([
      { label: 'CDC lag of public.events, last hour', marks: expect.any(Number) as number },
    ]);
    expect(events.lagCharts[0]?.marks).toBeGreaterThanOrEqual(2);
    expect(events.text).toMatch(/public\.events: lag \d+(\.\d)? (B|KiB|MiB) \(max .*, \d+ samples\)/);

    const orders = section('orders');
    expect(orders.lagCharts).toEqual([]);
    expect(orders.text).toMatch(/schedule cron 0 3 \* \* \* UTC/);
    // oldest left: the cells are the API's runs (newest first) reversed
    expect(orders.cells.map((c) => c.title.split(' ').slice(0, 3).join(' '))).toEqual(
      [...orderRuns].reverse().map((r) => `run ${r.runId} ${r.status}`),
    );
    expect(new Set(orders.cells.map((c) => c.fill))).toEqual(new Set(['#2e9d4a']));
    expect(orders.rows.map((r) => r.slice(0, 3))).toEqual([
      ['public.orders', 'succeeded', '1,200'],
      ['public.customers', 'succeeded', '300'],
    ]);

    const broken = section('broken');
    expect(broken.title).toBe('broken paused');
    expect(broken.text).toMatch(/none \(trigger only\)/);
    expect(broken.cells.map((c) => c.title.split(' ').slice(0, 3).join(' '))).toEqual(
      [...brokenRuns].reverse().map((r) => `run ${r.runId} ${r.status}`),
    );
    expect(broken.cells.at(-1)?.fill).toBe('#d1382f');
    expect(broken.rows.map((r) => r.slice(0, 2))).toEqual([['public.missing', 'failed']]);

    mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
