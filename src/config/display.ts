/*
 * How text from a configuration file appears in messages. A file is untrusted: its values may be
 * secrets (pre-shared keys), megabytes long, or carry control characters that a terminal would
 * obey (ESC sequences, NUL). Every value a config message quotes goes through showValue, and every
 * issue's text through boundText, so no message shows a secret, runs long or drives the terminal.
 */

/** Characters of a value shown in a message; the rest is cut with a count. */
export const MAX_SHOWN_VALUE = 60;
/** Characters of one issue's message or hint (a backstop: values are already cut to MAX_SHOWN_VALUE). */
export const MAX_MESSAGE = 1000;

// C0 controls, DEL, C1 controls (0x9b is a CSI on some terminals), line/paragraph separators and the
// bidirectional overrides and isolates ("Trojan Source").
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  if (code === 0) return '\\0';
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Control characters as visible escapes (ESC → \x1b, NUL → \0, newline → \n): one line, inert. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Text cut to `max` characters with the full length told, then escaped. */
export function boundText(text: string, max: number = MAX_MESSAGE): string {
  if (text.length <= max) return escapeControls(text);
  let cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${escapeControls(cut)}… (${text.length} characters)`;
}

/** What a message says about a secret value: its kind and size, never its content. */
export function secretShown(v: unknown): string {
  return typeof v === 'string' ? `<secret, ${v.length} characters>` : `<secret ${kindOf(v)}>`;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  return typeof v;
}

/**
 * A value from the file as a message quotes it: strings in quotes, cut and escaped; numbers and
 * booleans as written; lists and mappings by size only; secrets by kind and length only.
 */
export function showValue(v: unknown, secret = false): string {
  if (secret) return secretShown(v);
  if (typeof v === 'string') return `'${boundText(v, MAX_SHOWN_VALUE)}'`;
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') return Object.keys(v).length === 0 ? '{}' : 'a mapping';
  return boundText(String(v), MAX_SHOWN_VALUE);
}

/** `what` as a message describes it after "got": "a list", "number 5", "<secret number>". */
export function describeValue(v: unknown, secret = false): string {
  if (secret) return `a ${kindOf(v)} (a secret: not shown)`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${showValue(v)}`;
}
