// Packaging from a clean clone: no dist/ in git, so `npm pack` must build it (prepack); the archive
// installs into an empty prefix and runs; the release script writes the krew manifest with the
// archive's real sha256.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, ROOT, run } from '../helpers/sim.js';

let work: string;
let clone: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mcastctl-pack-'));
  clone = join(work, 'clone');
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], { stdio: 'ignore' });
  // The clone gets the dependencies already installed here (no network), but none of the build.
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
}, 120_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('npm pack in a clean clone', () => {
  it('builds dist/ before packing, ships only what runs, has no runtime dependencies, installs into an empty prefix and runs', async () => {
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const out = join(work, 'out');
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/main.cjs', 'dist/help.json', 'bin/package.json']));
    expect(files.filter((f) => !/^(bin|dist|man|completions)\//.test(f)).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(packed.size).toBeLessThan(3_000_000);
    const prefix = join(out, 'prefix');
    execFileSync('npm', ['install', '--global', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(work, packed.filename)], { stdio: 'ignore' });
    // One bundle: the archive declares no runtime dependency, so the install adds nothing beside it.
    const installed = join(prefix, 'lib', 'node_modules', 'mcastctl');
    expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).dependencies).toBeUndefined();
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);
    const bin = (name: string) => join(prefix, 'bin', name);
    expect(await run(bin('mcastctl'), ['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
    expect(await run(bin('mcastctl'), ['version', '--client'])).toEqual({ code: 0, stdout: 'Client Version: v0.1.0\n', stderr: '' });
    expect((await run(bin('kubectl-antrea_multicast'), ['--help'])).stdout.split('\n')[0]).toBe('Usage: kubectl antrea-multicast [options] [command]');
    expect((await run(bin('kubectl_complete-antrea_multicast'), ['get', 'm'])).stdout).toBe(
      'mroute\tKernel multicast routes of every Node\nmulticastgroups\tMulticast groups and their member Pods (stats.antrea.io)\n:4\n',
    );
    const manDir = join(prefix, 'share', 'man', 'man1');
    expect(readdirSync(manDir).sort()).toEqual(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).man.map((m: string) => m.slice(4)).sort());
    if (hasTool('man')) expect(realpathSync((await run('man', ['-M', join(prefix, 'share', 'man'), '-w', 'mcastctl'])).stdout.trim())).toBe(realpathSync(join(manDir, 'mcastctl.1')));
  }, 180_000);

  it('the release script writes the krew manifest with the archive\'s sha256', () => {
    const out = join(work, 'release');
    execFileSync('node', ['scripts/release.mjs', '--out', out, '--uri-base', 'https://example.invalid/releases/'], { cwd: clone, stdio: 'ignore' });
    const archive = readdirSync(out).find((f) => f.endsWith('.tgz'))!;
    expect(archive).toBe('mcastctl-0.1.0.tgz');
    const manifest = parse(readFileSync(join(out, 'antrea-multicast.yaml'), 'utf8'));
    expect(manifest.spec.version).toBe('v0.1.0');
    expect(manifest.spec.platforms[0].uri).toBe('https://example.invalid/releases/mcastctl-0.1.0.tgz');
    expect(manifest.spec.platforms[0].sha256).toBe(createHash('sha256').update(readFileSync(join(out, archive))).digest('hex'));
    expect(manifest.spec.platforms[0].sha256).not.toMatch(/^0+$/);
  }, 180_000);
});
