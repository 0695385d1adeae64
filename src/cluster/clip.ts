// Input echoed in a message is cut to a readable length: a pasted 10,000-character value must not flood a
// terminal or a notification. Pure; usable in the browser too.

/** `s` when at most `max` characters, else its first `max` characters plus "… (N characters)". */
export function clip(s: string, max = 120): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}
