/**
 * Text from scanned files (file names, values quoted in messages, source lines) is shown in a
 * terminal, a CI log or a code-scanning page. Control characters there would let a file name or a
 * value move the cursor, recolour or hide output (ESC sequences), or start a line of its own that
 * GitHub reads as a workflow command (`\n::error::…`, a lone CR); bidirectional controls can make
 * text read differently from what it is. So they are shown as escapes instead: the engine escapes
 * finding messages once, for every format; reporters escape the paths and source lines they print.
 */

/** C0 controls but tab, DEL, C1 controls, line/paragraph separators, bidi embedding/override/isolate marks. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

/** `s` with every unprintable character written as an escape (`\n`, `\r`, `\e`, `\u{202e}`). */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => NAMED[c] ?? `\\u{${c.charCodeAt(0).toString(16).padStart(4, '0')}}`);
}

/**
 * For code frames, where columns must stay aligned with the marker line: each unprintable
 * character becomes one visible character (its Unicode control picture, or U+FFFD).
 */
export function printableInPlace(s: string): string {
  return s.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '\ufffd';
  });
}

/**
 * GitHub's runner reads a workflow command from every line a step prints — stdout and stderr, in
 * every format: `::name …::` at the start of a line (after any white space) and the legacy
 * `##[name]` anywhere in it. A file name or a value such as `::stop-commands::x` or
 * `##[add-mask]…` from the scanned repository must not become one: the `:` or `#` that would start
 * it is written as an escape (`\u{003a}`, `\u{0023}`), as the control characters are.
 */
export function neutraliseCommands(text: string): string {
  return neutraliseLegacyCommands(text.replace(/^([^\S\n]*):(?=:)/gm, '$1\\u{003a}'));
}

/** Only the legacy `##[name]` form, for text whose lines start with oidc-lint's own `::error` commands. */
export function neutraliseLegacyCommands(text: string): string {
  return text.replace(/#(?=#\[)/g, '\\u{0023}');
}

/** Characters JSON.stringify leaves raw that a terminal or a reviewer's screen would act on: DEL, C1 controls, bidi marks, line/paragraph separators. */
// eslint-disable-next-line no-control-regex
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text (from JSON.stringify) with DEL, C1 controls and bidirectional marks written as `\u…`
 * escapes, and `##[` as `#\u0023[` so that no runner command is read from it: the same data, safe
 * to print. (Those characters occur only inside strings, where the escapes mean the same.)
 */
export function jsonText(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/#(?=#\[)/g, '\\u0023');
}
