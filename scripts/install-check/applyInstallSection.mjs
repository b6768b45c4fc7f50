#!/usr/bin/env node
// Applies the README's "Install into your Backstage" section to an app, the
// way a user follows it: its code blocks, in order, word for word.
//
//   sh    each line is run: `scripts/...` in this repository's clone, the
//         rest in the app's root (SECURITY_OBSERVATIONS_REPO is set)
//   json  merged into the app's root package.json
//   ts    `// <file>` on the first line: its imports go below the file's
//         imports, `backend.add(...)` lines before `backend.start()`, and
//         `features: [/* ... */ x]` appends x to the file's features
//   yaml  `# app-config.yaml` on the first line: merged into that file;
//         a block without it is an example and is left out
//
// A block it cannot apply fails the check: the README must not ask users
// for a step that this check does not prove.
//
// Usage: node scripts/install-check/applyInstallSection.mjs <README.md> <app>
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const SECTION = '## Install into your Backstage';
/** The legacy frontend system's page: a new app has none to apply it to. */
const SECTION_END = '### Frontend, legacy frontend system';

const [readmePath, appDir] = process.argv.slice(2);
if (!readmePath || !appDir) {
  console.error('usage: applyInstallSection.mjs <README.md> <app folder>');
  process.exit(2);
}
const repoDir = path.dirname(path.resolve(readmePath));

function installSectionBlocks(markdown) {
  const start = markdown.indexOf(SECTION);
  const end = markdown.indexOf(SECTION_END, start);
  if (start < 0 || end < 0) {
    throw new Error(`README: no section from "${SECTION}" to "${SECTION_END}"`);
  }
  const blocks = [];
  const fence = /^```(\w+)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.slice(start, end).matchAll(fence)) {
    blocks.push({ language: match[1], text: match[2] });
  }
  return blocks;
}

function log(message) {
  console.log(`[install-check] ${message}`);
}

function runShell(text) {
  for (const line of text
    .split('\n')
    .filter(l => l.trim() && !/^\s*#/.test(l))) {
    const inRepo = /^scripts\//.test(line.trim());
    log(`$ ${line}   (in ${inRepo ? 'the repository' : 'the app'})`);
    try {
      execSync(line, {
        cwd: inRepo ? repoDir : appDir,
        stdio: 'inherit',
        shell: '/bin/bash',
        env: { ...process.env, SECURITY_OBSERVATIONS_REPO: repoDir },
      });
    } catch (error) {
      console.error(
        `[install-check] FAILED: the README's command \`${line}\` exited ${error.status}`,
      );
      process.exit(1);
    }
  }
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key, lists append, the rest is replaced. */
function deepMerge(target, source) {
  for (const [key, value] of Object.entries(source)) {
    if (isObject(value) && isObject(target[key])) {
      deepMerge(target[key], value);
    } else if (Array.isArray(value) && Array.isArray(target[key])) {
      target[key].push(...value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

function mergeJson(text) {
  const file = path.join(appDir, 'package.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  deepMerge(manifest, JSON.parse(text));
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`merged into package.json: ${Object.keys(JSON.parse(text)).join(', ')}`);
}

function mergeYaml(text) {
  const header = text
    .split('\n')[0]
    .match(/^#\s*(app-config[\w.-]*\.yaml)\s*$/);
  if (!header) {
    log('left out a YAML block without "# app-config.yaml" (an example)');
    return;
  }
  const file = path.join(appDir, header[1]);
  const config = fs.existsSync(file)
    ? YAML.parse(fs.readFileSync(file, 'utf8')) ?? {}
    : {};
  deepMerge(config, YAML.parse(text));
  fs.writeFileSync(file, YAML.stringify(config));
  log(`merged into ${header[1]}`);
}

function mergeTypeScript(text) {
  const lines = text.split('\n');
  const header = lines[0].match(/^\/\/\s*(\S+\.tsx?)\s*$/);
  if (!header) {
    throw new Error(
      `README: a ts block must start with "// <file>":\n${text.trim()}`,
    );
  }
  const file = path.join(appDir, header[1]);
  let source = fs.readFileSync(file, 'utf8');
  const body = lines.slice(1).join('\n');

  const imports = body.match(/^import [\s\S]*?;$/gm) ?? [];
  let rest = imports.reduce(
    (remaining, statement) => remaining.replace(statement, ''),
    body,
  );

  const backendAdds = rest.match(/^backend\.add\([\s\S]*?\);$/gm) ?? [];
  for (const statement of backendAdds) rest = rest.replace(statement, '');
  if (backendAdds.length > 0) {
    if (!source.includes('backend.start();')) {
      throw new Error(`${header[1]}: no backend.start() to add before`);
    }
    source = source.replace(
      'backend.start();',
      `${backendAdds.join('\n')}\n\nbackend.start();`,
    );
  }

  const features = rest.match(
    /export default createApp\(\{\s*features: \[\/\* \.\.\. \*\/ ([\w, ]+)\],\s*\}\);/,
  );
  if (features) {
    rest = rest.replace(features[0], '');
    if (!/features: \[/.test(source)) {
      throw new Error(`${header[1]}: no "features: [" to add to`);
    }
    source = source.replace(/features: \[/, `features: [${features[1]}, `);
  }

  if (rest.trim()) {
    throw new Error(
      `README: cannot apply these lines of the ${
        header[1]
      } block:\n${rest.trim()}`,
    );
  }
  if (imports.length > 0) {
    const lastImport = [...source.matchAll(/^import [\s\S]*?;$/gm)].pop();
    const at = lastImport ? lastImport.index + lastImport[0].length : 0;
    source = `${source.slice(0, at)}\n${imports.join('\n')}${source.slice(at)}`;
  }
  fs.writeFileSync(file, source);
  log(
    `added to ${header[1]}: ${
      [...imports, ...backendAdds].length + (features ? 1 : 0)
    } lines`,
  );
}

const blocks = installSectionBlocks(fs.readFileSync(readmePath, 'utf8'));
for (const block of blocks) {
  switch (block.language) {
    case 'sh':
      runShell(block.text);
      break;
    case 'json':
      mergeJson(block.text);
      break;
    case 'yaml':
      mergeYaml(block.text);
      break;
    case 'ts':
    case 'tsx':
      mergeTypeScript(block.text);
      break;
    default:
      throw new Error(
        `README: a ${block.language} block in the install section cannot be applied`,
      );
  }
}
log(`applied ${blocks.length} blocks of the README's install section`);
