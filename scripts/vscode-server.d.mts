export declare const ROOT: string;
export declare function codeServerEntry(): string;
export declare function packageVsix(): string;
export declare function freePort(): Promise<number>;
export interface CodeServer {
  url: string;
  workspace: string;
  log(): string;
  stop(): Promise<void>;
}
export declare function startCodeServer(opts?: {
  vsix?: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  port?: number;
  theme?: 'dark' | 'light';
  nodeArgs?: string[];
}): Promise<CodeServer>;
