/** The fault matrix for the read commands (one shared simulator; see matrix.ts). */
import { COMMANDS, defineMatrix } from './matrix.js';

defineMatrix('fault matrix: read commands × every fault kind', COMMANDS.filter((c) => !c.write));
