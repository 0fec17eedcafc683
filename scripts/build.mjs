// Bundles the CLI into dist/ with esbuild. Code splitting keeps @kubernetes/client-node in a chunk
// that is loaded only by commands that talk to a cluster, so --help and --version stay fast.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // ws tries these optional native accelerators inside try/catch.
  external: ['bufferutil', 'utf-8-validate'],
  alias: { 'whatwg-url': './scripts/shims/whatwg-url.cjs' },
  banner: { js: "import { createRequire as __mcastctlRequire } from 'node:module'; const require = __mcastctlRequire(import.meta.url);" },
  legalComments: 'none',
  minify: true,
  logLevel: 'warning',
});
