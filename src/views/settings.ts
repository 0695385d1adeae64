// The `okg.*` settings, read in one place. `okg.kubeconfig` is a list of paths; a single string (what the
// setting used to hold) is still read as a list of one.
import * as vscode from 'vscode';

export interface Settings {
  kubeconfig: string[];
  namespaces: string[];
  confirmDestructiveChanges: boolean;
  pollFallbackSeconds: number;
  /** Glob patterns of context names where writes ask first and destructive ones need a typed name. */
  protectedContexts: string[];
  /** Contexts shown side by side (Switch Context with several picked); empty: the one chosen context. */
  contexts: string[];
}

export function settings(): Settings {
  const c = vscode.workspace.getConfiguration('okg');
  const kubeconfig = c.get<string | string[]>('kubeconfig');
  const paths = Array.isArray(kubeconfig) ? kubeconfig : typeof kubeconfig === 'string' ? [kubeconfig] : [];
  return {
    kubeconfig: paths.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map(p => p.trim()),
    namespaces: (c.get<string[]>('namespaces') ?? []).filter(n => typeof n === 'string' && n.trim()).map(n => n.trim()),
    confirmDestructiveChanges: c.get<boolean>('confirmDestructiveChanges') ?? true,
    pollFallbackSeconds: c.get<number>('pollFallbackSeconds') ?? 30,
    protectedContexts: (c.get<string[]>('protectedContexts') ?? [])
      .filter(p => typeof p === 'string' && p.trim())
      .map(p => p.trim()),
    contexts: [
      ...new Set(
        (Array.isArray(c.get('contexts')) ? (c.get<unknown[]>('contexts') ?? []) : [])
          .filter((n): n is string => typeof n === 'string' && n.trim() !== '')
          .map(n => n.trim()),
      ),
    ],
  };
}

/** The settings whose change reconnects the view (a different kubeconfig, or other namespaces). */
export const RECONNECT_SETTINGS = ['okg.kubeconfig', 'okg.namespaces', 'okg.contexts'] as const;
