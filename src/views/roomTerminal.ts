// Open Terminal: a VS Code pseudoterminal running a shell in a room's container through pods/exec with a tty.
// Keys go to the container as typed (Ctrl-C is the tty's interrupt), the window size follows the panel, and
// the terminal closes with the shell's exit code; closing the terminal ends the exec.
import * as vscode from 'vscode';
import { PassThrough, Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { execInRoom } from '../cluster/exec.js';

/** What the shell's output goes to: a stream client-node sees as resizable (columns, rows, 'resize'). */
class TerminalOutput extends Writable {
  columns = 80;
  rows = 24;
  constructor(private readonly write$: (text: string) => void) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.write$(chunk.toString('utf8'));
    cb();
  }
}

export class RoomPty implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private readonly stdin = new PassThrough();
  private readonly out = new TerminalOutput(t => this.written.fire(t));
  private readonly ac = new AbortController();
  /** Resolves with the exit code once the exec ended (tests). */
  readonly ended: Promise<number>;
  private end!: (code: number) => void;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly room: string,
    private readonly container: string,
    private readonly command: string[] = ['sh'],
  ) {
    this.ended = new Promise(r => (this.end = r));
  }

  open(dims: vscode.TerminalDimensions | undefined): void {
    if (dims) this.size(dims);
    this.written.fire(`Connecting to ${this.room} (container ${this.container})…\r\n`);
    execInRoom(
      this.kc,
      this.namespace,
      this.room,
      this.container,
      this.command,
      {
        stdout: this.out,
        stdin: this.stdin,
        tty: true,
      },
      this.ac.signal,
    )
      .then(o => {
        if (o.failure) this.written.fire(`\r\n${o.failure}\r\n`);
        this.finish(o.code, !!o.failure);
      })
      .catch((e: unknown) => {
        this.written.fire(`\r\n${e instanceof Error ? e.message : String(e)}\r\n`);
        this.finish(1, true);
      });
  }

  private finish(code: number, failed: boolean): void {
    this.end(code);
    if (this.ac.signal.aborted) return;
    // The shell ended: the terminal closes with its code. A failure to start stays on screen to be read.
    if (!failed) this.closed.fire(code);
    else this.written.fire('\r\n[could not open a shell in this room; close this terminal]\r\n');
  }

  private size(d: vscode.TerminalDimensions): void {
    this.out.columns = d.columns;
    this.out.rows = d.rows;
  }

  handleInput(data: string): void {
    this.stdin.write(data);
  }

  setDimensions(d: vscode.TerminalDimensions): void {
    this.size(d);
    this.out.emit('resize');
  }

  close(): void {
    this.ac.abort();
    this.stdin.end();
  }
}
