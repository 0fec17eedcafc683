import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generatedFiles, ROOT } from '../../scripts/generate.js';
import { VERSION } from '../../src/version.js';
import { hasTool } from '../helpers/sim.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));


describe('files generated from the command table', () => {
  it('completions/ and man/ match the command table (run "npm run generate" after changing it)', () => {
    for (const [file, text] of generatedFiles()) {
      expect(existsSync(join(ROOT, file)), `${file} is missing`).toBe(true);
      expect(readFileSync(join(ROOT, file), 'utf8'), `${file} is stale`).toBe(text);
    }
  });

  it('package.json lists every man page and the version agrees', () => {
    expect(pkg.man).toEqual([...generatedFiles().keys()].filter((f) => f.startsWith('man/')).sort());
    expect(pkg.version).toBe(VERSION);
    // The krew manifest is a template; scripts/release.mjs fills version, URI and sha256 (test/e2e/packaging.test.ts).
    expect(parse(readFileSync(join(ROOT, 'plugins', 'antrea-multicast.yaml'), 'utf8')).spec.version).toBe('@VERSION@');
  });

  it('every man page has EXAMPLES and ENVIRONMENT (KUBECONFIG merged as kubectl merges it)', () => {
    for (const file of pkg.man as string[]) {
      const page = readFileSync(join(ROOT, file), 'utf8');
      expect(page, file).toMatch(/^\.SH EXAMPLES\n\.nf\n\.RS 4\nmcastctl /m);
      expect(page, file).toContain('.SH ENVIRONMENT\n.TP\n.B KUBECONFIG\n');
      expect(page, file).toContain('.B NO_COLOR\n');
    }
  });

  it.runIf(hasTool('mandoc') || process.env.CI === 'true')('the man pages pass mandoc -T lint and groff -ww without a warning', () => {
    const pages = pkg.man.map((f: string) => join(ROOT, f));
    expect(execFileSync('mandoc', ['-T', 'lint', '-W', 'warning', ...pages], { encoding: 'utf8' })).toBe('');
    const groff = execFileSync('sh', ['-c', 'groff -ww -man -Tutf8 -z "$@" 2>&1', 'groff', ...pages], { encoding: 'utf8' });
    expect(groff).toBe('');
  });

  it('mcastctl.1 has every section and lists every command', () => {
    const root = readFileSync(join(ROOT, 'man', 'mcastctl.1'), 'utf8');
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'EXIT STATUS', 'SEE ALSO']) expect(root).toContain(`.SH ${section}\n`);
    expect(root).toContain('.BR mcastctl\\-igmp\\-set\\-max (1)');
    const page = readFileSync(join(ROOT, 'man', 'mcastctl-get-mroute.1'), 'utf8');
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'GLOBAL OPTIONS', 'EXAMPLES', 'EXIT STATUS', 'SEE ALSO']) expect(page).toContain(`.SH ${section}\n`);
  });
});
