// A key as JSON text, made once for the two files it goes to.

/**
 * JSON.stringify(key), remembering the last one: a settled file's key goes to the checkpoint
 * and then to the database, one after the other.
 */
export function jsonKey(key: string): string {
	if (key !== lastKey) {
		lastKey = key;
		lastJson = JSON.stringify(key);
	}
	return lastJson;
}
let lastKey = '';
let lastJson = '""';
