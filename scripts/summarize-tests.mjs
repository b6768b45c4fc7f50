// Reads the JSON results of Jest and Playwright that scripts/test wrote and
// prints which databases the backend tests ran on and the totals, ending
// with one line `tests: N passed, N failed[, N skipped]`.
import fs from 'node:fs';

const [jestFile, e2eFile] = process.argv.slice(2);

const readJson = file =>
  file && fs.existsSync(file)
    ? JSON.parse(fs.readFileSync(file, 'utf8'))
    : undefined;

const jest = readJson(jestFile);
let passed = 0;
let failed = 0;
let skipped = 0;

if (jest) {
  const perDatabase = new Map();
  for (const file of jest.testResults) {
    for (const test of file.assertionResults) {
      const match = / on ((?:SQLITE|POSTGRES|MYSQL)_\d+)$/.exec(test.fullName);
      if (match && test.status === 'passed') {
        perDatabase.set(match[1], (perDatabase.get(match[1]) ?? 0) + 1);
      }
    }
  }
  const databases = [...perDatabase.entries()]
    .map(([id, count]) => `${id} (${count} tests passed)`)
    .join(', ');
  console.log(`Backend tests ran on: ${databases || 'no database'}`);
  console.log(
    `unit and integration: ${jest.numPassedTests} passed, ${jest.numFailedTests} failed, ${jest.numPendingTests} skipped`,
  );
  passed += jest.numPassedTests;
  failed += jest.numFailedTests + (jest.numRuntimeErrorTestSuites ?? 0);
  skipped += jest.numPendingTests;
}

const e2e = readJson(e2eFile);
if (e2e) {
  const {
    expected = 0,
    unexpected = 0,
    flaky = 0,
    skipped: e2eSkipped = 0,
  } = e2e.stats ?? {};
  console.log(
    `end-to-end: ${
      expected + flaky
    } passed, ${unexpected} failed, ${e2eSkipped} skipped`,
  );
  passed += expected + flaky;
  failed += unexpected;
  skipped += e2eSkipped;
}

console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
