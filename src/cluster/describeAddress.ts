// A room's player-facing addresses from GameServer status.networkStatus (OKG's network plugins write them):
// external and internal ip:port per port, as players and operators type them.
import type { RawObject } from './okg.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]).map(obj) : []);

export interface RoomAddress {
  ip: string;
  port: number;
  protocol: string;
  name?: string;
}

/** The external addresses of a room's networkStatus, one per port (ip:port), in the order OKG lists them. */
export function externalAddresses(gs: RawObject): RoomAddress[] {
  const ns = obj(obj(gs.status).networkStatus);
  const out: RoomAddress[] = [];
  for (const a of arr(ns.externalAddresses)) {
    const ip = typeof a.ip === 'string' ? a.ip : '';
    for (const p of arr(a.ports))
      if (ip && Number.isInteger(p.port))
        out.push({
          ip,
          port: p.port as number,
          protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
          ...(typeof p.name === 'string' ? { name: p.name } : {}),
        });
  }
  return out;
}

export function internalAddresses(gs: RawObject): RoomAddress[] {
  return externalAddresses({
    ...gs,
    status: { networkStatus: { externalAddresses: obj(obj(gs.status).networkStatus).internalAddresses } },
  });
}

/** `ip:port` as players type it (IPv6 in brackets). */
export function addressText(a: RoomAddress): string {
  return a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}

/** `ip:port/PROTOCOL` lines for a room's tooltip and Copy Address, external first; undefined without any. */
export function addressLines(gs: RawObject): { external: string[]; internal: string[] } | undefined {
  const fmt = (a: RoomAddress) => `${addressText(a)}/${a.protocol}`;
  const external = externalAddresses(gs).map(fmt);
  const internal = internalAddresses(gs).map(fmt);
  return external.length || internal.length ? { external, internal } : undefined;
}
