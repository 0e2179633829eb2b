// Page benchmark: the fleet page with 5,000 nodes in Debian's Chromium (headless, the flags playwright.config.ts
// uses). Figures: time until the first rows are visible, time until the page answers input (the search box
// filters the table), one filter's latency after that, scroll smoothness (frame times during a programmatic
// scroll to the bottom, and how many rows exist in the DOM: virtualization draws only those on screen), JS heap.
import { chromium, type Page } from '@playwright/test';
import { load, percentile, round, target, type BenchResult, type Figure } from './lib';
import type { SeedResult } from './fleetSeed';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

const MATCH = /of [\d,]+ nodes match/;

async function matchText(page: Page): Promise<string | null> {
  return page.evaluate((src) => {
    const re = new RegExp(src);
    const text = document.querySelector('[role="search"] [aria-live]')?.textContent ?? '';
    return re.test(text) ? text : null;
  }, MATCH.source);
}

/**
 * Scrolls the window to the bottom in fixed steps per animation frame, recording every frame's duration. A string,
 * not a function: tsx (esbuild keepNames) would wrap named inner functions in a helper the page does not have.
 */
const SCROLL_SCRIPT = `new Promise((resolve) => {
  const frames = [];
  let maxRows = 0;
  const start = performance.now();
  let last = start;
  function tick(now) {
    frames.push(now - last);
    last = now;
    maxRows = Math.max(maxRows, document.querySelectorAll('tbody tr').length);
    const bottom = document.documentElement.scrollHeight - window.innerHeight;
    if (window.scrollY >= bottom - 1 || now - start > 20000) {
      resolve({ frames: frames.slice(1), maxRows, ms: now - start });
      return;
    }
    window.scrollBy(0, 120);
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})`;

async function scrollFrames(page: Page): Promise<{ frames: number[]; maxRows: number; ms: number }> {
  return (await page.evaluate(SCROLL_SCRIPT)) as { frames: number[]; maxRows: number; ms: number };
}

export async function benchPage(url: string, seed: SeedResult): Promise<BenchResult> {
  const started = performance.now();
  const loadStart = load();
  const browser = await chromium.launch({ executablePath: process.env.VETHWATCH_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    // One warm-up load: Next compiles nothing at runtime, but the server's first request warms its caches.
    await page.goto(url + '/', { waitUntil: 'load' });
    await page.goto('about:blank');

    const t0 = Date.now();
    await page.goto(url + '/', { waitUntil: 'commit' });
    await page.locator('tbody tr').first().waitFor({ state: 'visible', timeout: 30_000 });
    const firstRows = Date.now() - t0;
    const paint = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return { ttfb: nav ? nav.responseStart - nav.startTime : NaN, fcp: fcp ? fcp.startTime : NaN, domContentLoaded: nav ? nav.domContentLoadedEventEnd - nav.startTime : NaN };
    });

    // Interactive: typing in the search box narrows the table (retried until the page's script answers).
    const search = page.getByRole('search', { name: 'Filter nodes' }).getByLabel('Search');
    let interactive = NaN;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await search.fill('ip-10-3-');
      try {
        await page.waitForFunction(
          (src) => new RegExp(src).test(document.querySelector('[role="search"] [aria-live]')?.textContent ?? ''),
          MATCH.source,
          { timeout: 300, polling: 'raf' },
        );
        interactive = Date.now() - t0;
        break;
      } catch {
        // Not hydrated yet: try again.
      }
    }
    const before = await matchText(page);
    const f0 = performance.now();
    await search.fill('ip-10-7-1'); // 111 matches, unlike the 250 of the first query: the count text must change
    await page.waitForFunction(
      ([src, prev]) => {
        const text = document.querySelector('[role="search"] [aria-live]')?.textContent ?? '';
        return new RegExp(src).test(text) && text !== prev;
      },
      [MATCH.source, before] as const,
      { timeout: 10_000, polling: 'raf' },
    );
    const filterMs = performance.now() - f0;
    await search.fill('');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length > 5, undefined, { timeout: 10_000 });
    await page.waitForTimeout(300);

    const restingRows = await page.locator('tbody tr').count();
    const scroll = await scrollFrames(page);
    const sorted = [...scroll.frames].sort((a, b) => a - b);
    const long = scroll.frames.filter((f) => f > 50).length;
    const metrics = Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }).metrics.map((m) => [m.name, m.value]));
    const heapMb = (metrics.JSHeapUsedSize ?? NaN) / 1024 / 1024;

    const figures: Figure[] = [
      { metric: 'first rows visible (navigation start to first row on screen)', value: firstRows, unit: 'ms', ...target(firstRows, 1500, '< 1,500 ms') },
      { metric: 'server response start (TTFB) / first contentful paint', value: `${round(paint.ttfb, 0)} / ${round(paint.fcp, 0)}`, unit: 'ms' },
      { metric: 'interactive (search input filters the table)', value: Number.isFinite(interactive) ? interactive : 'never within 30 s', unit: Number.isFinite(interactive) ? 'ms' : undefined },
      { metric: 'one filter change, keystroke to updated table', value: round(filterMs, 0), unit: 'ms' },
      { metric: 'rows in the DOM at rest / at most while scrolling', value: `${restingRows} / ${scroll.maxRows} of ${seed.nodes.length}` },
      { metric: 'scroll to the bottom: frames, mean fps', value: `${scroll.frames.length} frames in ${round(scroll.ms / 1000, 1)} s, ${round((scroll.frames.length * 1000) / scroll.ms, 0)} fps` },
      { metric: 'scroll frame time p50 / p95 / max', value: `${round(percentile(sorted, 50), 0)} / ${round(percentile(sorted, 95), 0)} / ${round(sorted[sorted.length - 1] ?? NaN, 0)}`, unit: 'ms' },
      { metric: 'scroll frames over 50 ms', value: long },
      { metric: 'JS heap used after scrolling', value: round(heapMb, 1), unit: 'MB' },
      { metric: 'DOM nodes', value: metrics.Nodes ?? NaN },
    ];
    return {
      name: 'page',
      title: `Fleet page, ${seed.nodes.length} nodes, headless Chromium`,
      figures,
      notes: [
        'Viewport 1280x900, no GPU (headless, --disable-gpu): frame times are software-rendered on the 2 shared cores.',
        'The scroll moves 120 px per animation frame from top to bottom; frame times over 50 ms are the ones a person sees as a stutter.',
      ],
      loadStart,
      loadEnd: load(),
      seconds: round((performance.now() - started) / 1000, 0),
    };
  } finally {
    await browser.close();
  }
}
