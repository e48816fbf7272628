import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder with package.json), from src/ under vitest or dist/src/ when built. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'data'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('raqib: cannot find the package root (package.json beside data/)');
}

export const dataPath = (...parts: string[]): string => join(packageRoot(), 'data', ...parts);
