'use strict';
// Adds package-lock.json entries for the platform-specific optional packages that
// the npm registry reachable here does not serve (it mirrors only Linux builds).
//
//   node scripts/lock-foreign-platforms.js
//
// Without these entries `npm ci` refuses the lock file ("Missing: ... from lock
// file"). Each entry carries the os/cpu/libc restriction of its package, so npm
// skips it on any other platform and never downloads it here; on a platform that
// needs it npm fetches it from the registry (the entry has no integrity hash).
// Run it after every `npm install` that rewrites the lock file.

const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');

// platformOf derives a package's os, cpu and libc from its name suffix, as the
// @swc/core-* packages are named: <os>-<cpu>[-<abi>].
function platformOf(name) {
  const suffix = name.slice(name.lastIndexOf('/') + 1).replace(/^core-/, '');
  const [os, cpu, abi] = suffix.split('-');
  const platform = { os: [os], cpu: [cpu] };
  if (abi === 'gnu' || abi === 'gnueabihf') {
    platform.libc = ['glibc'];
  } else if (abi === 'musl') {
    platform.libc = ['musl'];
  }
  return platform;
}

function main() {
  const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
  const packages = lock.packages;
  let added = 0;
  for (const [key, entry] of Object.entries(packages)) {
    if (!key.endsWith('node_modules/@swc/core') || !entry.optionalDependencies) {
      continue;
    }
    const prefix = key.slice(0, key.length - '@swc/core'.length);
    for (const [dep, version] of Object.entries(entry.optionalDependencies)) {
      const depKey = prefix + dep;
      if (packages[depKey]) {
        continue;
      }
      packages[depKey] = { version, ...platformOf(dep), license: 'Apache-2.0 AND MIT', optional: true, engines: { node: '>=10' } };
      added++;
    }
  }
  const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
  lock.packages = sorted;
  fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  process.stdout.write(`added ${added} lock entries\n`);
}

main();
