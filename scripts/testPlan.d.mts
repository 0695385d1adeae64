export declare const HEAVY: string[];
export declare function folderOf(file: string): string;
export declare function selectFiles(all: string[], only: string | undefined): string[];
export declare function prerequisites(
  files: string[],
  env: Record<string, string | undefined>,
): { name: string; script: string; args: string[] }[];
