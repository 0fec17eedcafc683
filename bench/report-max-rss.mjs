// Loaded with `node --import` before mcastctl: reports the process's peak RSS on stderr at exit.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nmax-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
