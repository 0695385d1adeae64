// Protected contexts: Kubernetes context names matched against glob patterns ("*prod*", "kind-?-live").
// On a protected context every write asks first and destructive ones need the set's name typed; the
// extension (okg.protectedContexts) and the CLI (OKG_PROTECTED_CONTEXTS, --protected-contexts) share this.

/** The patterns of a comma- or whitespace-separated list ("*prod*, staging-eu"), blanks dropped. */
export function parsePatterns(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,\s]+/)
    .map(p => p.trim())
    .filter(Boolean);
}

/** Whether `context` matches one of the glob patterns (`*` any run of characters, `?` one; whole name). */
export function isProtectedContext(context: string, patterns: readonly string[]): boolean {
  return patterns.some(p => {
    const re = new RegExp(
      `^${p
        .split('')
        .map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
        .join('')}$`,
      'i',
    );
    return re.test(context);
  });
}
