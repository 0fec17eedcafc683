// Under the kubectl plugin's name, help never tells the user to run "mcastctl …": a krew or
// kubectl-plugin install has no such binary. Both the full CLI and the stored help are checked.
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { commandTable, walkCommands } from '../../src/commands/command-table.js';
import { ROOT, run } from '../helpers/sim.js';

const PLUGIN = join(ROOT, 'bin', 'kubectl-antrea_multicast.js');
const commandPaths = [...walkCommands()].map(([path]) => path.slice(1));

/** "mcastctl" followed by one of its commands or a flag: a command line to type. */
const COMMAND_LINE = new RegExp(`(?<![\\w./=-])mcastctl (?:-|(?:${(commandTable.subcommands ?? []).map((c) => c.name).join('|')})\\b)`);

async function helpInProcess(args: string[]): Promise<string> {
  let stdout = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stdout += chunk.toString();
      done();
    },
  });
  const code = await runCli(args, { stdout: out, stderr: out, env: {} }, '/usr/local/bin/kubectl-antrea_multicast');
  expect(code).toBe(0);
  return stdout;
}

describe('help under the kubectl plugin\'s name', () => {
  it('no help text of any command says to run mcastctl (full CLI)', async () => {
    for (const path of commandPaths) {
      const text = await helpInProcess([...path, '--help']);
      expect(text.match(COMMAND_LINE)?.[0], path.join(' ')).toBeUndefined();
      expect(text.startsWith(`Usage: kubectl antrea-multicast${path.length > 0 ? ` ${path.join(' ')}` : ''} `), path.join(' ')).toBe(true);
    }
  });

  it('help help and completion --help, as the plugin prints them (stored help)', async () => {
    const helpHelp = await run(process.execPath, [PLUGIN, 'help', 'help']);
    expect(helpHelp.code).toBe(0);
    expect(helpHelp.stdout).toContain('\nPrints the help of a command: "kubectl antrea-multicast help get mroute" is\n"kubectl antrea-multicast get mroute --help".\n');
    const completion = await run(process.execPath, [PLUGIN, 'completion', '--help']);
    expect(completion.code).toBe(0);
    // The scripts complete the mcastctl command; the plugin is completed by kubectl's own script.
    expect(completion.stdout).toContain(
      '\nPrints a completion script for the shell, for the mcastctl command. As a kubectl\n' +
        'plugin, "kubectl antrea-multicast" is completed by kubectl\'s own completion\n' +
        '(kubectl 1.26 or later), which runs kubectl_complete-antrea_multicast, installed\n' +
        'with the plugin: bash: source <(kubectl completion bash); zsh: source <(kubectl\n' +
        'completion zsh); fish: kubectl completion fish | source.\n',
    );
    expect(completion.stdout).toContain('\nExamples:\n  source <(kubectl completion bash)\n  source <(kubectl completion zsh)\n  kubectl completion fish | source\n');
    for (const r of [helpHelp, completion]) expect(r.stdout.match(COMMAND_LINE)?.[0]).toBeUndefined();
    expect(await helpInProcess(['help', 'help'])).toBe(helpHelp.stdout);
    expect(await helpInProcess(['completion', '--help'])).toBe(completion.stdout);
  });

  it('mcastctl\'s own help still names mcastctl', async () => {
    const r = await run(process.execPath, [join(ROOT, 'bin', 'mcastctl.js'), 'help', 'help']);
    expect(r.stdout).toContain('\nPrints the help of a command: "mcastctl help get mroute" is "mcastctl get mroute\n--help".\n');
  });
});
