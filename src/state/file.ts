import { readFileSync } from 'node:fs';
import type { MockEngine } from '../engine.js';
import { formatPath, importState, StateImportError } from './state.js';

/** A MOCK_STATE_FILE that cannot be imported: the message names the file, each JSON path and reason. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/**
 * Imports the state document at `file` into `engine` (MOCK_STATE_FILE, at start-up). All or nothing, as
 * PUT /_mock/state; throws StateFileError when the file cannot be read, is not JSON or is refused.
 */
export function loadStateFile(engine: MockEngine, file: string): { migrations: number } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new StateFileError(`MOCK_STATE_FILE ${file}: cannot be read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(`MOCK_STATE_FILE ${file}: not valid JSON: ${(e as Error).message}`);
  }
  try {
    return { migrations: importState(engine, doc).migrations.length };
  } catch (e) {
    if (!(e instanceof StateImportError)) throw e;
    const lines = e.issues.map((i) => `  ${formatPath(i.path)}: ${i.reason}`);
    throw new StateFileError(`MOCK_STATE_FILE ${file}: the state document is refused:\n${lines.join('\n')}`);
  }
}
