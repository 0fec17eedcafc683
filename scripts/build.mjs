// Bundles the CLI into dist/ with esbuild. Code splitting keeps @kubernetes/client-node in a chunk
// that is loaded only by commands that talk to a cluster, so --help and --version stay fast.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

/**
 * commander requires node:child_process at load time, only to run stand-alone executable
 * subcommands, which mcastctl has none of. Loading child_process (and dgram and the net bindings
 * it pulls in) costs every start, --help included; commander gets it on first use instead.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/') ? { path: 'lazy-child-process', namespace: 'mcastctl-shim' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'mcastctl-shim' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

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
  plugins: [lazyChildProcessForCommander],
  minify: true,
  logLevel: 'warning',
});
