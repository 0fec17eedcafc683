/** The fault matrix for the write commands (a simulator per cell; see matrix.ts). */
import { COMMANDS, defineMatrix } from './matrix.js';

defineMatrix('fault matrix: write commands × every fault kind', COMMANDS.filter((c) => c.write));
