#!/usr/bin/env node
// Checks packed tarballs the way a user's install will meet them: every
// entry point that package.json names is in the tarball, no source or test
// file came along, no workspace: range is left, and each role ships what it
// needs at run time (a backend its migrations and config schema).
// Usage: node scripts/check-tarballs.mjs dist-packages/*.tgz
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const DEPENDENCY_FIELDS = [
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
];

/** Files each Backstage role must ship beside what package.json points at. */
const REQUIRED_BY_ROLE = {
  // prepack turns config.d.ts into config.schema.json (configSchema).
  'backend-plugin': [
    'README.md',
    /^migrations\/\d+_.+\.js$/,
    /^events-migrations\/\d+_.+\.js$/,
  ],
  'frontend-plugin': ['README.md', /^dist\/alpha\.d\.ts$/],
  'common-library': ['README.md'],
  cli: ['README.md'],
};

const FORBIDDEN = [
  [/^src\//, 'source files'],
  [/\.test\.[jt]sx?$/, 'test files'],
  [/__fixtures__|__testUtils__/, 'test fixtures'],
  [/^dev\//, 'the development server'],
];

const problems = [];

for (const tarball of process.argv.slice(2)) {
  const name = path.basename(tarball);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(entry => entry.replace(/^package\//, ''));
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  const fail = message => problems.push(`${name}: ${message}`);
  const has = file => files.includes(file.replace(/^\.\//, ''));
  const role = manifest.backstage?.role;

  for (const field of DEPENDENCY_FIELDS) {
    for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) {
        fail(`${field}.${dependency} is still "${range}"`);
      }
    }
  }

  const entryPoints = [manifest.main, manifest.module, manifest.types];
  for (const target of Object.values(manifest.exports ?? {})) {
    if (typeof target === 'string') entryPoints.push(target);
    else {
      // `backstage` is a condition Backstage uses as metadata, not a file.
      const { backstage: _metadata, ...conditions } = target ?? {};
      entryPoints.push(...Object.values(conditions));
    }
  }
  entryPoints.push(...Object.values(manifest.bin ?? {}));
  for (const entry of entryPoints.filter(Boolean)) {
    if (!has(entry)) fail(`package.json points at ${entry}, which is missing`);
  }
  if (role === 'backend-plugin' && !manifest.configSchema) {
    fail('a backend plugin must name its configSchema');
  }
  if (manifest.configSchema && !has(manifest.configSchema)) {
    fail(`configSchema ${manifest.configSchema} is missing`);
  }

  for (const required of REQUIRED_BY_ROLE[role] ?? []) {
    const found =
      typeof required === 'string'
        ? has(required)
        : files.some(file => required.test(file));
    if (!found) fail(`a ${role} must ship ${required}`);
  }

  for (const [pattern, what] of FORBIDDEN) {
    const leaked = files.filter(file => pattern.test(file));
    if (leaked.length > 0) {
      fail(`holds ${what}: ${leaked.slice(0, 3).join(', ')}`);
    }
  }
  console.log(
    `[pack] ${name}: ${manifest.name}@${manifest.version}, ${files.length} files`,
  );
}

if (problems.length > 0) {
  console.error(problems.map(problem => `[pack] ${problem}`).join('\n'));
  process.exit(1);
}
