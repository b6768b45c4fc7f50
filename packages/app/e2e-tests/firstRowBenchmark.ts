/**
 * `yarn bench:first-row`: the time from a click on the Security tab to the
 * first row of its observations table, for a component with 10,008
 * observations (the example's Legacy Batch Jobs with a generated 10,000
 * finding Trivy report), in Chromium against the running example app. The
 * goal is 1.5 s.
 *
 * The first run is cold (a new browser: the tab's code is fetched); the
 * others are warm (the tab opened again from the entity's overview). Each
 * run prints when the tab's requests started and ended after the click,
 * which says where the time goes: code loading, the requests, or rendering
 * (the rest, after the list answered).
 *
 * Start the example app first (`scripts/start`, or `yarn start` from the
 * repository root); `yarn start` serves a development build, slower than a
 * production one.
 *
 *   PLAYWRIGHT_CHROMIUM_PATH  Chromium (default /usr/bin/chromium)
 *   PLAYWRIGHT_URL            the app (default http://localhost:3000)
 *   BENCH_RUNS                warm runs (default 5)
 */
/* eslint-disable no-console -- a command-line benchmark: it prints its results */
import { chromium, Page } from '@playwright/test';
import {
  BACKEND,
  firstObservationRow,
  importTenThousandObservations,
  LOAD_TEST_ENTITY,
} from './securityTabPage';

const GOAL_MS = 1500;
const APP = process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000';
const CHROMIUM = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? '/usr/bin/chromium';
const WARM_RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** The tab's requests, by what they ask for. */
const REQUESTS: [name: string, pattern: RegExp][] = [
  ['summary', /\/v1\/entities\/[^/]+\/summary/],
  ['list', /\/v1\/observations\?/],
  ['trend', /\/v1\/entities\/[^/]+\/trend/],
];

interface Run {
  firstRow: number;
  /** Milliseconds after the click: [started, answered]. */
  requests: Map<string, [number, number]>;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function reachable(url: string) {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** Clicks the Security tab and waits for the first observation row. */
async function openSecurityTab(page: Page): Promise<Run> {
  const requests = new Map<string, [number, number]>();
  let clickedAt = 0;
  const nameOf = (url: string) =>
    REQUESTS.find(([, pattern]) => pattern.test(url))?.[0];
  const onRequest = (request: { url(): string }) => {
    const name = nameOf(request.url());
    if (name && !requests.has(name)) {
      requests.set(name, [Date.now() - clickedAt, NaN]);
    }
  };
  const onAnswered = (request: { url(): string }) => {
    const timing = requests.get(nameOf(request.url()) ?? '');
    if (timing && Number.isNaN(timing[1])) timing[1] = Date.now() - clickedAt;
  };
  page.on('request', onRequest);
  page.on('requestfinished', onAnswered);
  try {
    clickedAt = Date.now();
    await page.getByRole('link', { name: 'Security', exact: true }).click();
    await firstObservationRow(page).waitFor({ timeout: 60_000 });
    return { firstRow: Date.now() - clickedAt, requests };
  } finally {
    page.off('request', onRequest);
    page.off('requestfinished', onAnswered);
  }
}

function describe(label: string, run: Run) {
  const requests = REQUESTS.map(([name]) => {
    const [start, end] = run.requests.get(name) ?? [NaN, NaN];
    return `${name} ${start}–${Number.isNaN(end) ? '…' : end}`;
  }).join(', ');
  return `${label.padEnd(7)} first row ${String(run.firstRow).padStart(
    5,
  )} ms   requests (ms after the click): ${requests}`;
}

async function main() {
  if (!(await reachable(APP)) || !(await reachable(`${BACKEND}/health`))) {
    throw new Error(
      `The example app does not answer at ${APP} (backend ${BACKEND}): start it with scripts/start (or yarn start) and run this again.`,
    );
  }
  const imported = await importTenThousandObservations();
  if (imported !== 201) {
    throw new Error(
      `Importing 10,000 observations into ${LOAD_TEST_ENTITY.ref} answered ${imported}; is this the example app, with its CI token?`,
    );
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({
      viewport: { width: 1440, height: 900 },
    });
    await page.goto(`${APP}${LOAD_TEST_ENTITY.path}`);
    await page.getByRole('button', { name: 'Enter' }).click();
    const heading = page.getByRole('heading', {
      name: LOAD_TEST_ENTITY.title,
    });
    await heading.waitFor();

    const runs: Run[] = [];
    for (let index = 0; index <= WARM_RUNS; index++) {
      const run = await openSecurityTab(page);
      runs.push(run);
      console.log(describe(index === 0 ? 'cold' : `warm ${index}`, run));
      // Let the trend and the rest settle, then back to the overview.
      await page.waitForTimeout(1000);
      await page.getByRole('link', { name: 'Overview', exact: true }).click();
      await page.waitForTimeout(1000);
    }
    const [cold, ...warm] = runs;
    const warmMedian = median(warm.map(run => run.firstRow));
    console.log(
      `\nFirst table row, ${
        LOAD_TEST_ENTITY.title
      } (10,008 observations): cold ${
        cold.firstRow
      } ms, warm median ${warmMedian} ms of ${
        warm.length
      } (goal: under ${GOAL_MS} ms: ${
        Math.max(cold.firstRow, warmMedian) < GOAL_MS ? 'met' : 'missed'
      })`,
    );
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
