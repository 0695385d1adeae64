export declare function dependenciesStale(root?: string): string | undefined;
export declare function installDependencies(log: (line: string) => void): void;
