// What runs inside a sandbox container on exec: a few built-in commands (echo, cat of synthetic files, env,
// hostname, ls, pwd, sleep, stty size, true, false, exit N) and `sh` with -c or interactive, never a host process.
// A tty gets a line discipline (echo, backspace, Ctrl-C interrupts, Ctrl-D ends input) and CRLF output.

export interface ShellIo {
  out(text: string): void;
  err(text: string): void;
  /** The next input line, null at end of input, 'interrupt' after Ctrl-C. */
  readLine(): Promise<string | null | 'interrupt'>;
  /** Resolves after `ms`, or early (true) on Ctrl-C or when the session ends. */
  sleep(ms: number): Promise<boolean>;
  size(): { width: number; height: number } | undefined;
  readonly tty: boolean;
}

export interface ShellWorld {
  env: Record<string, string>;
  files: Record<string, string>;
}

/** Exit code 126 and this message when exec names a program the container does not have (as runc reports it). */
export class NotFound extends Error {}

const BUILTINS = ['echo', 'cat', 'env', 'hostname', 'ls', 'pwd', 'sleep', 'stty', 'true', 'false', 'sh', 'bash'];

export function hasProgram(name: string): boolean {
  return BUILTINS.includes(name) || BUILTINS.includes(name.replace(/^\/(usr\/)?bin\//, ''));
}

/** Splits a command line into words: single and double quotes, backslash escapes, $VAR, ${VAR} and $? expansion. */
export function words(line: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  let cur = '',
    has = false,
    quote: '' | "'" | '"' = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote === "'") {
      if (ch === "'") quote = '';
      else cur += ch;
      continue;
    }
    if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (ch === '$') {
      const m = /^(\?|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(line.slice(i + 1));
      if (!m) cur += ch;
      else {
        cur += vars[m[1].replace(/[{}]/g, '')] ?? '';
        i += m[1].length;
      }
      has = true;
    } else if (quote === '"') {
      if (ch === '"') quote = '';
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (has || cur) out.push(cur);
  return out;
}

/** Splits a script into commands joined by `;`, newlines, `&&` and `||` (outside quotes). */
function commands(script: string): { text: string; join: ';' | '&&' | '||' }[] {
  const out: { text: string; join: ';' | '&&' | '||' }[] = [];
  let cur = '',
    quote = '',
    join: ';' | '&&' | '||' = ';';
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (quote) {
      if (ch === quote) quote = '';
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === ';' || ch === '\n') {
      out.push({ text: cur, join });
      cur = '';
      join = ';';
    } else if ((ch === '&' || ch === '|') && script[i + 1] === ch) {
      out.push({ text: cur, join });
      cur = '';
      join = ch === '&' ? '&&' : '||';
      i++;
    } else if (ch === '|' || ch === '>' || ch === '<' || ch === '&' || ch === '`') {
      throw new Error(`"${ch}" (pipes, redirection, background jobs, substitution) is not supported in the sandbox`);
    } else cur += ch;
  }
  out.push({ text: cur, join });
  return out.filter(c => c.text.trim());
}

export class Shell {
  private status = 0;
  constructor(
    private readonly io: ShellIo,
    private readonly world: ShellWorld,
  ) {}

  private nl(text: string): string {
    return this.io.tty ? text.replace(/\r?\n/g, '\r\n') : text;
  }
  private say(text: string): void {
    this.io.out(this.nl(text));
  }
  private complain(text: string): void {
    (this.io.tty ? this.io.out : this.io.err)(this.nl(text));
  }

  /** Runs an exec's argv and returns its exit code; NotFound when the program does not exist. */
  async exec(argv: string[]): Promise<number> {
    if (!hasProgram(argv[0] ?? '')) throw new NotFound(argv[0] ?? '');
    return this.run(argv, false);
  }

  private async run(argv: string[], inShell: boolean): Promise<number> {
    const [prog, ...args] = argv;
    const name = prog.replace(/^\/(usr\/)?bin\//, '');
    switch (name) {
      case 'echo': {
        const n = args[0] === '-n';
        this.say((n ? args.slice(1) : args).join(' ') + (n ? '' : '\n'));
        return 0;
      }
      case 'true':
        return 0;
      case 'false':
        return 1;
      case 'pwd':
        this.say('/\n');
        return 0;
      case 'hostname':
        this.say(`${this.world.env.HOSTNAME ?? ''}\n`);
        return 0;
      case 'env':
        this.say(
          Object.entries(this.world.env)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(''),
        );
        return 0;
      case 'ls': {
        const dir = (args[0] ?? '/').replace(/\/$/, '') + '/';
        const names = new Set<string>();
        for (const f of Object.keys(this.world.files))
          if (f.startsWith(dir)) names.add(f.slice(dir.length).split('/')[0]);
        if (!names.size && !Object.keys(this.world.files).some(f => f.startsWith(dir))) {
          this.complain(`ls: ${args[0]}: No such file or directory\n`);
          return 1;
        }
        this.say([...names].sort().join('\n') + '\n');
        return 0;
      }
      case 'cat': {
        if (!args.length) {
          for (;;) {
            const line = await this.io.readLine();
            if (line === null) return 0;
            if (line === 'interrupt') return 130;
            this.say(`${line}\n`);
          }
        }
        let code = 0;
        for (const f of args) {
          const text = this.world.files[f];
          if (text === undefined) {
            this.complain(`cat: can't open '${f}': No such file or directory\n`);
            code = 1;
          } else this.say(text);
        }
        return code;
      }
      case 'sleep': {
        const s = Number(args[0]);
        if (!Number.isFinite(s) || s < 0) {
          this.complain(`sleep: invalid number '${args[0] ?? ''}'\n`);
          return 1;
        }
        return (await this.io.sleep(s * 1000)) ? 130 : 0;
      }
      case 'stty': {
        const size = this.io.size();
        if (args[0] !== 'size' || !size) {
          this.complain(`stty: ${size ? 'only "stty size" is supported' : 'standard input: Not a tty'}\n`);
          return 1;
        }
        this.say(`${size.height} ${size.width}\n`);
        return 0;
      }
      case 'exit':
        if (!inShell) throw new NotFound('exit');
        return Number.parseInt(args[0] ?? String(this.status), 10) & 0xff;
      case 'sh':
      case 'bash': {
        if (args[0] === '-c') return this.script(args[1] ?? '');
        return this.interactive();
      }
      default:
        this.complain(`sh: ${prog}: not found\n`);
        return 127;
    }
  }

  /** Runs a script; `exit` ends it. Returns the exit code (and whether `exit` ran). */
  private async lines(script: string): Promise<{ code: number; exited: boolean }> {
    let list;
    try {
      list = commands(script);
    } catch (e) {
      this.complain(`sh: ${(e as Error).message}\n`);
      return { code: (this.status = 2), exited: false };
    }
    for (const c of list) {
      if ((c.join === '&&' && this.status !== 0) || (c.join === '||' && this.status === 0)) continue;
      let argv: string[];
      try {
        argv = words(c.text, { ...this.world.env, '?': String(this.status) });
      } catch (e) {
        this.complain(`sh: syntax error: ${(e as Error).message}\n`);
        return { code: (this.status = 2), exited: false };
      }
      if (!argv.length) continue;
      this.status = await this.run(argv, true);
      if (argv[0] === 'exit') return { code: this.status, exited: true };
    }
    return { code: this.status, exited: false };
  }

  private async script(text: string): Promise<number> {
    return (await this.lines(text)).code;
  }

  private async interactive(): Promise<number> {
    for (;;) {
      if (this.io.tty) this.io.out('/ # ');
      const line = await this.io.readLine();
      if (line === null) return this.status;
      if (line === 'interrupt') {
        this.status = 130;
        continue;
      }
      const r = await this.lines(line);
      if (r.exited) return r.code;
    }
  }
}
