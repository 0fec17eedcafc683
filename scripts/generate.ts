/**
 * npm run generate: writes completions/ and man/ from the command table, and lists the man pages in
 * package.json. test/unit/generated-files.test.ts fails when a committed file no longer matches.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { completionScript } from '../src/commands/completion.js';
import { allManPages, MAN_DATE } from '../src/docs/man-pages.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const COMPLETION_FILES = { bash: 'mcastctl.bash', zsh: '_mcastctl', fish: 'mcastctl.fish' } as const;

export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [shell, file] of Object.entries(COMPLETION_FILES)) files.set(join('completions', file), completionScript(shell as keyof typeof COMPLETION_FILES));
  for (const [file, text] of allManPages(MAN_DATE)) files.set(join('man', file), text);
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const files = generatedFiles();
  for (const dir of ['completions', 'man']) {
    rmSync(join(ROOT, dir), { recursive: true, force: true });
    mkdirSync(join(ROOT, dir), { recursive: true });
  }
  for (const [file, text] of files) writeFileSync(join(ROOT, file), text);
  const pkgPath = join(ROOT, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  pkg.man = readdirSync(join(ROOT, 'man')).sort().map((f) => `man/${f}`);
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  process.stdout.write(`wrote ${files.size} files\n`);
}
