// What `check` finds, as data, and how it is printed: one line each, `ok:` or `problem:` with
// the fix in plain words (and `note:` for how a test was made, which is neither).

/** One check's outcome. */
export interface Finding {
  ok: boolean;
  text: string;
  /** Not a check: how the checks were made. Printed as `note:`. */
  note?: true;
}

/** The lines `check` prints. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.note ? 'note' : f.ok ? 'ok' : 'problem'}: ${f.text}\n`).join('');
}
