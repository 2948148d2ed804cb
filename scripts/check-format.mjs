// `npm run lint`'s Prettier step: checks the files listed in scripts/formatted-files.txt (those
// already formatted by .prettierrc.json), not the whole tree — formatting everything at once
// would rewrite every line other branches touch. Format a file (`npx prettier --write FILE`) and
// add it to the list; the list only grows.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = readFileSync(join(root, 'scripts', 'formatted-files.txt'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean);
const prettier = createRequire(import.meta.url).resolve('prettier/bin/prettier.cjs');
try {
  execFileSync(process.execPath, [prettier, '--check', ...files], { cwd: root, stdio: 'inherit' });
} catch {
  process.exit(1);
}
