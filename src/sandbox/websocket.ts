// The server side of RFC 6455 WebSocket, as much as the kubelet's exec streams need: the upgrade handshake with
// subprotocol choice, masked client frames in (fragments, ping, close), unmasked binary frames out.
// Written here because the `ws` package is only a transitive dependency of client-node, without types.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Client messages larger than this close the connection (1009): exec input is keystrokes and short lines. */
const MAX_MESSAGE = 1 << 20;

export interface WsConnection {
  readonly protocol: string;
  /** Sends one binary message. */
  send(data: Buffer): void;
  /** Sends a close frame and ends the socket once the peer answers (or at once if it already closed). */
  close(code?: number): void;
  onMessage(listener: (data: Buffer) => void): void;
  onClose(listener: () => void): void;
}

/** The subprotocol the server picks: the client's first that `supported` lists, or undefined. */
export function pickProtocol(req: IncomingMessage, supported: readonly string[]): string | undefined {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map(p => p.trim())
    .filter(Boolean);
  return offered.find(p => supported.includes(p));
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' && !!req.headers['sec-websocket-key'];
}

/** Answers the handshake with 101 and `protocol`, and returns the open connection. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): WsConnection {
  const accept = createHash('sha1')
    .update(String(req.headers['sec-websocket-key']) + GUID)
    .digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  const messageListeners: ((d: Buffer) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  let buffered: Buffer = head.length ? Buffer.from(head) : Buffer.alloc(0);
  let fragments: Buffer[] = [];
  let closeSent = false;
  let closed = false;

  const frame = (opcode: number, payload: Buffer): Buffer => {
    const len = payload.length;
    const header =
      len < 126
        ? Buffer.from([0x80 | opcode, len])
        : len < 65536
          ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
          : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(len)]);
    return Buffer.concat([header, payload]);
  };
  const write = (opcode: number, payload: Buffer) => {
    if (!closed && !socket.destroyed) socket.write(frame(opcode, payload));
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    socket.end();
    for (const l of closeListeners) l();
  };
  const sendClose = (code: number) => {
    if (closeSent) return;
    closeSent = true;
    write(0x8, Buffer.from([code >> 8, code & 0xff]));
  };

  const parse = () => {
    for (;;) {
      if (buffered.length < 2) return;
      const b0 = buffered[0],
        b1 = buffered[1];
      let len = b1 & 0x7f,
        off = 2;
      if (len === 126) {
        if (buffered.length < 4) return;
        len = buffered.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buffered.length < 10) return;
        len = Number(buffered.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (!masked || len > MAX_MESSAGE) {
        // RFC 6455 §5.1: a server closes on an unmasked client frame.
        sendClose(masked ? 1009 : 1002);
        finish();
        return;
      }
      if (buffered.length < off + 4 + len) return;
      const mask = buffered.subarray(off, off + 4);
      const payload = Buffer.alloc(len);
      for (let i = 0; i < len; i++) payload[i] = buffered[off + 4 + i] ^ mask[i & 3];
      buffered = buffered.subarray(off + 4 + len);
      const opcode = b0 & 0x0f,
        fin = (b0 & 0x80) !== 0;
      if (opcode === 0x8) {
        sendClose(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
        finish();
        return;
      }
      if (opcode === 0x9) write(0xa, payload);
      else if (opcode === 0xa) continue;
      else {
        fragments.push(payload);
        if (fin) {
          const msg = Buffer.concat(fragments);
          fragments = [];
          for (const l of messageListeners) l(msg);
        }
      }
    }
  };
  socket.on('data', (d: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, d]) : d;
    parse();
  });
  socket.on('close', finish);
  socket.on('error', finish);
  queueMicrotask(parse);

  return {
    protocol,
    send: data => write(0x2, data),
    close(code = 1000) {
      sendClose(code);
      // The peer answers a close frame with its own; a peer that never does is cut after a moment.
      setTimeout(() => {
        finish();
        socket.destroy();
      }, 2000).unref();
    },
    onMessage: l => messageListeners.push(l),
    onClose: l => closeListeners.push(l),
  };
}

function bigLength(len: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(len));
  return b;
}

/** Refuses an upgrade on the raw socket with an HTTP status and a Kubernetes Status body. */
export function refuseUpgrade(socket: Duplex, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${code} ${code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : code === 404 ? 'Not Found' : 'Bad Request'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
