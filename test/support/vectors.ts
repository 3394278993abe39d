// The shared password-hash vectors (../shared/vectors), read as rows with the password as bytes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run';

export interface VectorRow {
  format: string;
  password: Buffer;
  hash: string;
  expect: 'match' | 'nomatch';
  note: string;
  /** A short name for the test title. */
  title: string;
}

export const VECTORS_DIR = join(ROOT, '../shared/vectors');

/** Every row of crypt.tsv and crypt-bytes.tsv. */
export function vectorRows(): VectorRow[] {
  const rows: VectorRow[] = [];
  for (const file of ['crypt.tsv', 'crypt-bytes.tsv']) {
    const lines = readFileSync(join(VECTORS_DIR, file), 'utf8').split('\n').filter(Boolean);
    const head = lines.shift()!.split('\t');
    lines.forEach((line, i) => {
      const f = Object.fromEntries(line.split('\t').map((v, j) => [head[j], v])) as Record<string, string>;
      const password = f.password_hex !== undefined ? Buffer.from(f.password_hex, 'hex') : Buffer.from(f.password!, 'utf8');
      rows.push({
        format: f.format!,
        password,
        hash: f.hash!,
        expect: f.expect as 'match' | 'nomatch',
        note: f.note!,
        title: `${file}:${i + 2} ${f.format} ${f.expect} (${f.note})`,
      });
    });
  }
  return rows;
}
