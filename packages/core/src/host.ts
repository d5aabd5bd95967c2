// What a shell tells a run about the machine and the process it runs in. The core probes
// neither (no /proc, /sys, heap statistics or working-directory changes of its own: the
// boundaries test keeps it so); the command line's probe is packages/cli/src/machine.ts.

/** A folder's disk: a stable name for it (its st_dev), and whether it spins (undefined: not known). */
export interface Disk {
	device: string;
	rotational: boolean | undefined;
}

/** The working directory of a process whose shell lets a run move it (see scan/workdir.ts). */
export interface WorkingDirectory {
	current(): string;
	/** Throws when it cannot. */
	change(path: string): void;
}

export interface RunHost {
	/** The hashing threads `Workers = auto` stands for: the physical cores. */
	cores: number;
	/**
	 * The process runs with a small heap (the launchers' low-memory flags, ~50 MiB): a run then
	 * keeps one hashing thread and smaller buffers, since every thread and every buffer counts
	 * against a NAS's RAM. Node's default on any machine is far above.
	 */
	lowMemory: boolean;
	/** The disk a folder is on (Disk reads = auto reads a spinning disk's large files one at a time). */
	diskOf(path: string): Promise<Disk>;
	/** Given when the run may move the process's working directory while it lists (see scan/workdir.ts). */
	workingDirectory?: WorkingDirectory;
}
