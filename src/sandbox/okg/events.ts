// core/v1 Events as the kubelet's legacy event recorder (client-go tools/record) writes them: one Event per
// distinct (object, field path, type, reason, message); a repeat patches that Event's count and lastTimestamp
// instead of creating a new one (the EventCorrelator), names `<object>.<UnixNano hex>`.
import { PatchStrategy, setHeaderOptions, type CoreV1Event } from '@kubernetes/client-node';
import { statusCode, type KubeClient } from './kube.js';
import type { EventSpec } from './containerTimeline.js';
import type { Pod } from './types.js';

export interface EventSource {
  component: string;
  host?: string;
}

interface Recorded {
  name: string;
  count: number;
}

const seconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class EventRecorder {
  /** correlation key → the Event that holds it */
  private readonly recorded = new Map<string, Recorded>();
  private seq = 0n;

  constructor(
    private readonly client: KubeClient,
    private readonly source: EventSource,
    private readonly log: (m: string) => void = () => undefined,
  ) {}

  /**
   * Records `events` about a pod's container (fieldPath `spec.containers{name}`) at time `at`. Identical events in
   * one call are written once with their total count. Failures are logged, never thrown: events are best effort,
   * as in the kubelet.
   */
  async record(pod: Pod, container: string | undefined, events: readonly EventSpec[], at: number): Promise<void> {
    const merged = new Map<string, { e: EventSpec; n: number }>();
    for (const e of events) {
      const k = `${e.type}|${e.reason}|${e.message}`;
      const m = merged.get(k);
      if (m) m.n++;
      else merged.set(k, { e, n: 1 });
    }
    for (const { e, n } of merged.values()) await this.one(pod, container, e, n, at);
  }

  /** Forget the correlation of a pod's events (its Events stay, as kube keeps them until their TTL). */
  forget(podUid: string): void {
    for (const k of this.recorded.keys()) if (k.startsWith(`${podUid}|`)) this.recorded.delete(k);
  }

  private async one(pod: Pod, container: string | undefined, e: EventSpec, n: number, at: number): Promise<void> {
    const ns = pod.metadata.namespace ?? '';
    const fieldPath = container === undefined ? '' : `spec.containers{${container}}`;
    const key = `${pod.metadata.uid ?? ''}|${fieldPath}|${e.type}|${e.reason}|${e.message}`;
    const now = seconds(at);
    const prev = this.recorded.get(key);
    try {
      if (prev) {
        prev.count += n;
        // the correlator sends a strategic merge patch; a merge patch has the same effect on these scalar fields
        await this.client.core.patchNamespacedEvent(
          { name: prev.name, namespace: ns, body: { count: prev.count, lastTimestamp: now, message: e.message } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return;
      }
    } catch (err) {
      if (statusCode(err) !== 404) {
        this.log(`event ${prev?.name ?? ''} not updated: ${String((err as Error).message ?? err).slice(0, 200)}`);
        return;
      }
      this.recorded.delete(key); // the Event is gone: record it anew
    }
    const name = `${pod.metadata.name ?? ''}.${this.nanoHex(at)}`;
    const body: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        kind: 'Pod',
        namespace: ns,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: pod.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason: e.reason,
      message: e.message,
      type: e.type,
      source: { component: this.source.component, ...(this.source.host ? { host: this.source.host } : {}) },
      firstTimestamp: now as unknown as Date,
      lastTimestamp: now as unknown as Date,
      count: (prev?.count ?? 0) || n,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    };
    try {
      await this.client.core.createNamespacedEvent({ namespace: ns, body });
      this.recorded.set(key, { name, count: body.count ?? n });
    } catch (err) {
      this.log(`event ${name} not created: ${String((err as Error).message ?? err).slice(0, 200)}`);
    }
  }

  /** `%x` of UnixNano, kept unique within this recorder. */
  private nanoHex(at: number): string {
    this.seq++;
    return (BigInt(at) * 1_000_000n + (this.seq % 1_000_000n)).toString(16);
  }
}
