// Packs the npm archive (prepack builds dist/) and writes the krew manifest for it: the version
// from package.json, the archive's URI and its sha256, into the output directory (default
// release/). Usage: node scripts/release.mjs [--out DIR] [--uri-base URL]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'release') },
    // Where the archive is published; npm's registry layout by default.
    'uri-base': { type: 'string', default: 'https://registry.npmjs.org/mcastctl/-/' },
  },
});
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
const archive = join(out, packed.filename);
const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const manifest = readFileSync(join(root, 'plugins', 'antrea-multicast.yaml'), 'utf8')
  .replace('"@VERSION@"', `v${version}`)
  .replace('"@URI@"', `${values['uri-base']}${packed.filename}`)
  .replace('"@SHA256@"', `"${sha256}"`);
if (manifest.includes('@')) throw new Error('plugins/antrea-multicast.yaml has a placeholder this script does not know');
writeFileSync(join(out, 'antrea-multicast.yaml'), manifest);
console.log(`${archive}\nsha256 ${sha256}\n${join(out, 'antrea-multicast.yaml')}`);
