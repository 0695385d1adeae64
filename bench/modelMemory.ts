// Child process for row 3's memory figure: loads the cache model of every namespace from a sandbox running
// in another process (so the server's own objects are not counted) and prints the heap it retains.
import { loadKubeConfig } from '../src/cluster/kubeconfig.js';
import { OkgClient } from '../src/cluster/client.js';
import { ClusterCache } from '../src/cluster/cache.js';

const [kubeconfig, ...namespaces] = process.argv.slice(2);
function settled(): number {
  for (let i = 0; i < 4; i++) global.gc?.();
  return process.memoryUsage().heapUsed;
}
const client = new OkgClient(loadKubeConfig({ kubeconfig }));
const clusters = new ClusterCache(client);
// Warm up the code paths (modules, JIT) on one namespace, then measure all of them from a settled heap.
await (await clusters.namespace(namespaces[0])).release();
const before = settled();
const caches = await Promise.all(namespaces.map(ns => clusters.namespace(ns)));
let rooms = 0;
for (const c of caches) for (const g of c.gameServerSets()) rooms += c.rooms(g.name).length;
const after = settled();
process.stdout.write(`${JSON.stringify({ rooms, bytes: after - before })}\n`);
await clusters.dispose();
process.exit(0);
