// Node module-resolution hook: `vscode` resolves to the stub next to this file; everything else as usual.
interface ResolveResult {
  url: string;
  shortCircuit?: boolean;
  format?: string;
}
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<ResolveResult> {
  if (specifier === 'vscode')
    return { url: new URL('./vscode.js', import.meta.url).href, format: 'module', shortCircuit: true };
  return next(specifier, context);
}
