// config_parse() / parse_line() of systemd 252 (src/shared/conf-parser.c) for .link files and their drop-ins.
// What is fatal and what is only a warning decides whether udev uses a file at all:
//   fatal (the .link file and everything parsed with it is dropped): a line starting with '[' that does not
//     end with ']', control characters/quotes/backslash in a section name, a non-comment line that is not
//     valid UTF-8, a line or continuation of 1 MiB or more, a drop-in or file that cannot be read;
//   warning (the line or value is ignored, parsing goes on): unknown sections and their keys, assignments
//     before any section, lines without '=', unknown keys, values a key's parser rejects.
import { applyAssignment, knownSections } from './keys';
import { binaryIsValidUtf8, binaryToText, logicalLines, strstrip } from './lines';
import type { LinkSettings } from './types';

export interface ParseMessage {
  line: number;
  message: string;
}

export interface ParseOutcome {
  fatal: ParseMessage | null;
  warnings: ParseMessage[];
}

/** string_is_safe(): no control characters, quotes, backslash or DEL. */
function stringIsSafe(n: string): boolean {
  for (const ch of n) {
    const c = ch.charCodeAt(0);
    if (c > 0 && c < 32) return false;
    if (ch === '"' || ch === "'" || ch === '\\' || c === 0x7f) return false;
  }
  return true;
}

/** Parses one file's bytes into `settings` (which accumulates across a file and its drop-ins). */
export function parseLinkFileInto(settings: LinkSettings, bytes: Buffer, systemdVersion: number): ParseOutcome {
  const warnings: ParseMessage[] = [];
  const lines = logicalLines(bytes.toString('latin1'));
  if (!lines.ok) return { fatal: { line: lines.line, message: lines.message }, warnings };

  const sections = knownSections(systemdVersion);
  let section: string | null = null;
  let sectionIgnored = false;

  for (const { line, text } of lines.lines) {
    const l = strstrip(text);
    if (l === '') continue;
    if (!binaryIsValidUtf8(l)) return { fatal: { line, message: 'String is not UTF-8 clean' }, warnings };
    const t = binaryToText(l);

    if (t.startsWith('[')) {
      if (!t.endsWith(']')) return { fatal: { line, message: `Invalid section header '${t}'` }, warnings };
      const n = t.slice(1, -1);
      if (!stringIsSafe(n)) return { fatal: { line, message: `Bad characters in section header '${t}'` }, warnings };
      if (!sections.includes(n)) {
        if (!n.startsWith('X-')) warnings.push({ line, message: `Unknown section '${n}'. Ignoring.` });
        section = null;
        sectionIgnored = true;
      } else {
        section = n;
        sectionIgnored = false;
      }
      continue;
    }

    if (section === null) {
      if (!sectionIgnored) warnings.push({ line, message: 'Assignment outside of section. Ignoring.' });
      continue;
    }

    const eq = t.indexOf('=');
    if (eq < 0) {
      warnings.push({ line, message: "Missing '=', ignoring line." });
      continue;
    }
    if (eq === 0) {
      warnings.push({ line, message: "Missing key name before '=', ignoring line." });
      continue;
    }
    const key = strstrip(t.slice(0, eq));
    const value = strstrip(t.slice(eq + 1));
    const r = applyAssignment(settings, section, key, value, systemdVersion);
    if (!r.known) {
      if (!key.startsWith('X-')) warnings.push({ line, message: `Unknown key '${key}' in section [${section}], ignoring.` });
      continue;
    }
    for (const w of r.warnings) warnings.push({ line, message: w });
  }
  return { fatal: null, warnings };
}
