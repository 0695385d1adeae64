// The predicted final table (`kubectl get gs` after the run), shown by both the release's and the rollback's
// preview: one definition of its columns.
import type { PredictedRoom } from '../release/types.js';
import { imageTags } from './dom.js';
import { imagesText } from './resume.js';
import { virtualTable } from './vtable.js';

export function predictedTable(id: string, caption: string, rows: () => PredictedRoom[]): HTMLElement {
  return virtualTable<PredictedRoom>({
    id,
    caption,
    noun: ['room', 'rooms'],
    rowHeader: true,
    rows,
    columns: [
      { title: 'Name', cell: r => r.name, text: r => r.name, cls: 'c-name' },
      { title: 'State', cell: r => r.state, text: r => r.state },
      { title: 'opsState', cell: r => r.opsState, text: r => r.opsState },
      { title: 'Image', cell: r => imageTags(r.images), text: r => imagesText(r.images), cls: 'c-image' },
    ],
  }).el;
}
