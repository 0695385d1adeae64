// The release history of a GameServerSet, read from its record (annotation okg-ops/release, record.ts): one row
// per release or rollback, newest first — when, who, from which images to which, the outcome, and the rooms it
// retired and OKG reclaimed. The run still in the record (running, or stopped and resumable) comes first. The
// CLI (okg history) and the extension (Show Release History…) both print these rows.
import { imageTag } from '../cluster/images.js';
import type { ContainerImage, RawObject } from '../cluster/okg.js';
import { describeHolder, parseRecord, rawRecord, type HistoryEntry, type ReleaseRecord } from './record.js';

export interface HistoryRow {
  id: string;
  kind: 'release' | 'rollback';
  startedAt: string;
  /** Absent while the run is still in the record without an end. */
  finishedAt?: string;
  who: string;
  /** The images before the run; absent when an older record did not keep them. */
  from?: ContainerImage[];
  to: ContainerImage[];
  /** `running`: in the record with no outcome yet (running, or its process died). */
  outcome: HistoryEntry['outcome'] | 'running';
  step: string;
  /** Old rooms it marked for retirement (names when the record still has them, else the count). */
  retired?: number;
  retiredRooms?: string[];
  reclaimed?: number;
  /** For a rollback: the release it undid. */
  rollbackOf?: string;
  message?: string;
}

function currentRow(c: ReleaseRecord): HistoryRow {
  const rollback = c.kind === 'rollback';
  return {
    id: c.id,
    kind: rollback ? 'rollback' : 'release',
    startedAt: c.startedAt,
    ...(c.finishedAt ? { finishedAt: c.finishedAt } : {}),
    who: describeHolder(c.holder),
    from: rollback ? (c.rollbackOf?.images ?? []) : c.baseline.images,
    to: rollback ? c.baseline.images : c.input.images,
    outcome: c.outcome ?? 'running',
    step: c.step,
    ...(c.marked ? { retired: c.marked.length, retiredRooms: c.marked } : {}),
    ...(c.reclaimed !== undefined ? { reclaimed: c.reclaimed } : {}),
    ...(rollback && c.rollbackOf ? { rollbackOf: c.rollbackOf.id } : {}),
    ...(c.message ? { message: c.message } : {}),
  };
}

function entryRow(h: HistoryEntry): HistoryRow {
  const marked = h.changes?.marked;
  const from = h.fromImages ?? h.changes?.baseline.images;
  const retired = h.retired ?? marked?.length;
  const reclaimed = h.reclaimed ?? h.changes?.reclaimed;
  return {
    id: h.id,
    kind: h.kind === 'rollback' ? 'rollback' : 'release',
    startedAt: h.startedAt,
    finishedAt: h.finishedAt,
    who: h.holder,
    ...(from ? { from } : {}),
    to: h.images,
    outcome: h.outcome,
    step: h.step,
    ...(retired !== undefined ? { retired } : {}),
    ...(marked ? { retiredRooms: marked } : {}),
    ...(reclaimed !== undefined ? { reclaimed } : {}),
    ...(h.rollbackOf ? { rollbackOf: h.rollbackOf } : {}),
    ...(h.message ? { message: h.message } : {}),
  };
}

/** The rows of `gss`'s record, newest first (empty when no release ever ran on it). */
export function releaseHistory(gss: RawObject): HistoryRow[] {
  const doc = parseRecord(rawRecord(gss));
  return [...(doc.current ? [currentRow(doc.current)] : []), ...doc.history.map(entryRow)];
}

/** `minecraft=1.12.2`, or `c1=a,c2=b` (tags only; `-` for none, `?` when unknown). */
export function imagesText(images: readonly ContainerImage[] | undefined): string {
  if (!images) return '?';
  if (!images.length) return '-';
  return images.map(c => `${c.container}=${imageTag(c.image)}`).join(',');
}

/** One line for a row: `rel-… release succeeded 2026-… → 2026-… by user@host (pid 1): minecraft=a → minecraft=b; …`. */
export function historyLine(r: HistoryRow): string {
  const rooms = [
    r.retired !== undefined
      ? `${r.retired} room(s) retired${r.retiredRooms?.length ? ` (${r.retiredRooms.join(', ')})` : ''}`
      : undefined,
    r.reclaimed !== undefined ? `${r.reclaimed} reclaimed` : undefined,
  ].filter((x): x is string => !!x);
  return [
    `${r.id} ${r.kind}${r.rollbackOf ? ` of ${r.rollbackOf}` : ''} ${r.outcome}${r.outcome === 'succeeded' ? '' : ` at step ${r.step}`}`,
    ` ${r.startedAt} → ${r.finishedAt ?? '(not finished)'} by ${r.who}: `,
    `${imagesText(r.from)} → ${imagesText(r.to)}`,
    rooms.length ? `; ${rooms.join(', ')}` : '',
    r.message && r.outcome !== 'succeeded' ? `; ${r.message}` : '',
  ].join('');
}
