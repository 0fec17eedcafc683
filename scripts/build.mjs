// Bundles the CLI into dist/ with esbuild, in two parts:
// - dist/main.cjs, the entry: one CommonJS file that loads nothing of the bundle at start. When the
//   arguments only ask for help or the version, it prints what dist/help.json stores and ends;
//   otherwise it imports dist/cli.js (src/precomputed-help.ts, src/main.ts).
// - dist/cli.js and dist/errors.js with their chunks: the CLI. Code splitting keeps
//   @kubernetes/client-node in a chunk that is loaded only by commands that talk to a cluster.
// Then it runs the bundled CLI for every help text and the version and writes dist/help.json.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const dist = resolve(root, 'dist');

/**
 * An esbuild plugin that gives the modules matching `importer` another module for the import
 * `specifier`: `contents` (JavaScript) stands where the package's module would.
 */
function standIn(name, specifier, importer, contents) {
  const namespace = `mcastctl-${name}`;
  return {
    name,
    setup(build) {
      build.onResolve({ filter: specifier }, (args) => (importer.test(args.importer) ? { path: name, namespace } : undefined));
      build.onLoad({ filter: /.*/, namespace }, () => ({ contents, loader: 'js' }));
    },
  };
}

/**
 * commander requires node:child_process at load time, only to run stand-alone executable
 * subcommands, which mcastctl has none of. Loading child_process (and dgram and the net bindings
 * it pulls in) costs every start; commander gets it on first use instead.
 */
const lazyChildProcessForCommander = standIn(
  'lazy-child-process-for-commander',
  /^(node:)?child_process$/,
  /[\\/]node_modules[\\/]commander[\\/]/,
  "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
);

/**
 * client-node's KubeConfig (config.js) imports its generated API clients and models only for
 * makeApiClient, which mcastctl never calls: src/cluster/rest.ts sends the API requests. Left in,
 * every cluster command would compile ~320 KB of model classes at start (esbuild keeps them: a
 * class with static fields counts as a side effect). A call would throw, never send anything.
 */
const withoutGeneratedClients = standIn(
  'without-client-node-generated-clients',
  /^\.\/gen\/index\.js$/,
  /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/,
  "const absent = () => { throw new Error('the generated API clients of @kubernetes/client-node are not bundled'); };\n" +
    'export const createConfiguration = absent;\nexport class ServerConfiguration { constructor() { absent(); } }\n',
);

/** The modules dist/main.cjs imports from the CLI's part of the bundle (by its entry file name) instead of bundling them. */
const cliEntries = { cli: 'src/cli.ts', errors: 'src/errors.ts' };
const cliEntriesOutside = {
  name: 'cli-entries-outside',
  setup(build) {
    const byFile = new Map(Object.entries(cliEntries).map(([name, file]) => [resolve(root, file), `./${name}.js`]));
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const entry = byFile.get(resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts'));
      return entry ? { path: entry, external: true } : undefined;
    });
  },
};

/**
 * Stands for the bundle's digest in dist/main.cjs until the digest is known: dist/help.json is
 * used only by the main.cjs of the build that rendered it.
 */
const BUILD_ID_PLACEHOLDER = 'mcastctl-build-id-placeholder-0000000000000000';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  minify: true,
  logLevel: 'warning',
  write: false,
  absWorkingDir: root,
};
rmSync(dist, { recursive: true, force: true });
const [cli, entry] = await Promise.all([
  build({
    ...common,
    entryPoints: cliEntries,
    format: 'esm',
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // ws tries these optional native accelerators inside try/catch.
    external: ['bufferutil', 'utf-8-validate'],
    alias: { 'whatwg-url': './scripts/shims/whatwg-url.cjs' },
    banner: { js: "import { createRequire as __mcastctlRequire } from 'node:module'; const require = __mcastctlRequire(import.meta.url);" },
    plugins: [lazyChildProcessForCommander, withoutGeneratedClients],
  }),
  build({
    ...common,
    entryPoints: { main: 'src/main.ts' },
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    // import() of the CLI stays an import (esbuild would make it a require of an ES module).
    supported: { 'dynamic-import': true },
    outdir: 'dist',
    define: { MCASTCTL_BUILD_ID: JSON.stringify(BUILD_ID_PLACEHOLDER) },
    plugins: [cliEntriesOutside],
  }),
]);

const files = [...cli.outputFiles, ...entry.outputFiles].sort((a, b) => a.path.localeCompare(b.path));
const digest = createHash('sha256');
for (const file of files) digest.update(relative(dist, file.path)).update('\0').update(file.contents);
const buildId = digest.digest('hex').slice(0, 32);
const [main] = entry.outputFiles;
if (!main.text.includes(BUILD_ID_PLACEHOLDER)) throw new Error('dist/main.cjs does not read MCASTCTL_BUILD_ID: dist/help.json would never be used');
if (/\brequire\(["']\./.test(main.text)) throw new Error('dist/main.cjs loads the bundle at start');

for (const file of files) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file === main ? main.text.replaceAll(BUILD_ID_PLACEHOLDER, buildId) : file.contents);
}
const { renderPrecomputedArtifact } = await import(pathToFileURL(resolve(dist, 'cli.js')).href);
writeFileSync(resolve(dist, 'help.json'), `${JSON.stringify(await renderPrecomputedArtifact(buildId))}\n`);
