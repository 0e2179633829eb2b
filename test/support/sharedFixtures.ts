// Where the project's shared, read-only domain material lives: `shared/` beside the checkout (as on every
// developer machine and in CI's fresh clone), or VETHWATCH_SHARED_DIR. Never an absolute path of one machine.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const SHARED_DIR = process.env.VETHWATCH_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
export const SHARED_FIXTURES = path.join(SHARED_DIR, 'domain/fixtures');
