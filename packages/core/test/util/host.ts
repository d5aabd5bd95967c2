// The machine a test's run runs on, as the command line finds it (packages/cli/src/machine.ts):
// the core probes nothing of it itself.
import { runHost } from '../../../cli/src/machine.ts';

export const host = runHost(false);
