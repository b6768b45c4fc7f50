#!/usr/bin/env node
// Uses the freshly installed app as its users would, through its running
// backend: a scanner uploads a real report with the CLI and its gate fails
// on the high findings; the summary reads them back; a signed-in user (the
// app's guest) assesses them on the API the Security tab uses; the gate
// then passes, and an identical upload with --new-only passes too.
//
// Usage: node useTheInstalledApp.mjs <backend base URL> <cli bin> <report>
// with SECURITY_OBSERVATIONS_TOKEN set to the scanner token of app-config.
import { spawnSync } from 'node:child_process';

const [baseUrl, cli, report] = process.argv.slice(2);
const entityRef = 'component:default/example-website';
const api = `${baseUrl}/api/security-observations`;

function log(message) {
  console.log(`[install-check] ${message}`);
}

function fail(message) {
  console.error(`[install-check] FAILED: ${message}`);
  process.exit(1);
}

function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

async function json(url, init = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok)
    fail(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

function upload(...flags) {
  const args = [
    'upload',
    '--url',
    baseUrl,
    '--entity',
    entityRef,
    '--branch',
    'main',
    ...flags,
    report,
  ];
  log(`$ security-observations ${args.join(' ')}`);
  const run = spawnSync(cli, args, { encoding: 'utf8', env: process.env });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  return run;
}

// The guest sign-in of a new app: a real user token, as the browser gets.
const { backstageIdentity } = await json(
  `${baseUrl}/api/auth/guest/refresh?env=development`,
  {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  },
);
const asUser = { Authorization: `Bearer ${backstageIdentity.token}` };

// The catalog reads examples/entities.yaml after start-up.
for (let attempt = 0; ; attempt += 1) {
  const res = await fetch(
    `${baseUrl}/api/catalog/entities/by-name/component/default/example-website`,
    { headers: asUser },
  );
  if (res.ok) break;
  if (attempt === 90) fail(`the catalog has no ${entityRef} after 3 minutes`);
  await sleep(2000);
}

const gated = upload('--fail-on', 'high', '--json');
if (gated.status !== 1)
  fail(`the gate exited ${gated.status}, expected 1 (open high findings)`);
const answer = JSON.parse(gated.stdout);
const highOrWorse = answer.unassessed.all.critical + answer.unassessed.all.high;
if (answer.counts.new !== answer.findings || highOrWorse === 0) {
  fail(`unexpected import answer: ${gated.stdout}`);
}
log(
  `gate failed as it should: ${highOrWorse} open high or critical of ${answer.findings} findings`,
);

const encodedRef = encodeURIComponent(entityRef);
const summary = await json(`${api}/v1/entities/${encodedRef}/summary`, {
  headers: asUser,
});
const activeHigh =
  (summary.activeBySeverity.critical ?? 0) +
  (summary.activeBySeverity.high ?? 0);
if (activeHigh !== highOrWorse) {
  fail(
    `the summary says ${activeHigh} active high or critical, the import ${highOrWorse}: ${JSON.stringify(
      summary,
    )}`,
  );
}
log(`summary read back: ${JSON.stringify(summary.activeBySeverity)}`);

const open = await json(
  `${api}/v1/observations?entityRef=${encodedRef}&status=open&severity=critical,high&limit=500`,
  { headers: asUser },
);
await json(`${api}/v1/assessments`, {
  method: 'POST',
  headers: { ...asUser, 'Content-Type': 'application/json' },
  body: JSON.stringify({
    entityRef,
    observationIds: open.items.map(item => item.id),
    status: 'risk_accepted',
    comment: 'Accepted for the install check',
  }),
});
log(`the guest accepted the risk of ${open.items.length} observations`);

const passing = upload('--fail-on', 'high');
if (passing.status !== 0)
  fail(`the gate exited ${passing.status} after the assessment, expected 0`);
const newOnly = upload('--fail-on', 'low', '--new-only');
if (newOnly.status !== 0)
  fail(
    `--new-only exited ${newOnly.status} on an identical report, expected 0`,
  );
log('the CLI gate passes once the findings are assessed');
