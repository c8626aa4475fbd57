// Device-provided text printed on a terminal. ESC/CSI sequences can recolour, move the cursor, rewrite the
// screen or set the window title; CR hides what came before it on the line; bidi overrides show text in
// another order than it is stored. Each such character is shown as a visible escape instead (\x1b, \u202e);
// newlines and tabs stay, so multi-line results still read as text.

// C0 controls except TAB and LF, DEL, C1 controls (0x80-0x9f, incl. the one-byte CSI 0x9b), the bidi
// embedding/override/isolate controls, and the line/paragraph separators some terminals treat as newlines.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every terminal-active character replaced by a visible escape. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** For one-line fields (names, descriptions in a listing): newlines and tabs are escaped too. */
export function terminalSafeLine(text: string): string {
  return terminalSafe(text).replace(/[\n\t]/g, (c) => (c === '\n' ? '\\n' : '\\t'));
}
