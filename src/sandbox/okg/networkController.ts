// The network plugins' OnPodUpdated, as the emulator plays it (./network.ts): for each pod of a GameServerSet with
// `spec.network`, keep the pod's `game.kruise.io/network-status` annotation at what the plugin would write —
// NotReady until the pod has an IP and `networkReadyAfterMs` has passed since, then Ready with its addresses.
import { ignore, type ControllerContext } from './controller.js';
import { ANN_NETWORK_STATUS, ANN_NETWORK_TYPE, type NetworkPlugins } from './network.js';

export class NetworkController {
  private readonly ipSeen = new Map<string, { uid: string; at: number }>();
  /** `ns/name` of rooms whose network is held NotReady whatever the delay (a plugin that never gets its port) */
  private readonly held = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly plugins: NetworkPlugins,
    private readonly nodeIP: string,
    /** ms from the pod getting its IP to the network being Ready; see OkgEmulatorOptions.networkReadyAfterMs */
    public readyAfterMs: number,
  ) {}

  /** Hold one room's network NotReady (true) or let it follow the delay again (false). */
  hold(ns: string, name: string, on: boolean): void {
    if (on) this.held.add(`${ns}/${name}`);
    else this.held.delete(`${ns}/${name}`);
  }

  async sync(ns: string, name: string, key: string): Promise<void> {
    const pod = this.ctx.pods.get(ns, name);
    if (!pod) {
      this.ipSeen.delete(key);
      return;
    }
    this.plugins.observe(pod);
    if (pod.metadata.deletionTimestamp || pod.metadata.annotations?.[ANN_NETWORK_TYPE] === undefined) return;
    let ready = false;
    if (pod.status?.podIP) {
      const uid = pod.metadata.uid ?? '';
      const now = Date.now();
      let s = this.ipSeen.get(key);
      if (!s || s.uid !== uid) this.ipSeen.set(key, (s = { uid, at: now }));
      const remaining = s.at + this.readyAfterMs - now;
      if (remaining > 0) this.ctx.queue.addAfter(key, remaining);
      else ready = !this.held.has(`${ns}/${name}`);
    }
    const want = this.plugins.annotationFor(pod, this.nodeIP, ready);
    if (want === undefined || pod.metadata.annotations?.[ANN_NETWORK_STATUS] === want) return;
    await this.ctx.client
      .patch('pods', ns, name, {
        metadata: { resourceVersion: pod.metadata.resourceVersion, annotations: { [ANN_NETWORK_STATUS]: want } },
      })
      .catch(ignore(404, 409));
  }
}
