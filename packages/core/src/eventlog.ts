import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { eventLogName, formatEventLine, type EventType, type FileEvent } from './events.ts';

/** Appends events to one log per type, opening each file only when it first gets a line. */
export class EventLogWriter {
	private handles = new Map<EventType, FileHandle>();
	private buffers = new Map<EventType, string[]>();

	constructor(
		private dir: string,
		private role: string,
	) {}

	async append(event: FileEvent): Promise<void> {
		const lines = this.buffers.get(event.type) ?? [];
		lines.push(formatEventLine(event) + '\n');
		this.buffers.set(event.type, lines);
		if (lines.length >= 512) await this.flushType(event.type);
	}

	async flush(): Promise<void> {
		for (const type of this.buffers.keys()) await this.flushType(type);
	}

	async close(): Promise<void> {
		await this.flush();
		for (const handle of this.handles.values()) await handle.close();
		this.handles.clear();
	}

	private async flushType(type: EventType): Promise<void> {
		const lines = this.buffers.get(type);
		if (!lines || lines.length === 0) return;
		this.buffers.set(type, []);
		let handle = this.handles.get(type);
		if (!handle) {
			handle = await open(join(this.dir, eventLogName(this.role, type)), 'a');
			this.handles.set(type, handle);
		}
		await handle.write(lines.join(''));
	}
}
