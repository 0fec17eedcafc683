// Loaded with `node --import` before mcastctl: reports the process's peak RSS and CPU time on stderr at exit.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeSync(2, `\nmax-rss-kb=${usage.maxRSS} cpu-us=${usage.userCPUTime + usage.systemCPUTime}\n`);
});
