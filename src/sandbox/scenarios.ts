// Worlds the sandbox starts with. Each is created through the API, as an operator would, and the
// OKG emulator builds the rest (pods, GameServers, status), so a scenario is also a test of the emulator.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { NETWORK_HOST_PORT, NETWORK_NODE_PORT, type EmulatedNetwork } from './okg/network.js';

export type ScenarioName = 'seed' | 'empty' | 'scale';
export const SCENARIOS: readonly ScenarioName[] = ['seed', 'empty', 'scale'];

export const SEED = {
  namespace: 'default',
  gameServerSet: 'minecraft',
  container: 'minecraft',
  image: 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2',
  newImage: 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2-new',
  replicas: 3,
  allocated: 'minecraft-0',
} as const;

export interface ScaleOptions {
  gameServerSets: number;
  rooms: number;
  namespaces: number;
}

/** The scale scenario's size when not given: 100 GameServerSets of 100 rooms in 4 namespaces. */
export const DEFAULT_SCALE: Readonly<ScaleOptions> = { gameServerSets: 100, rooms: 100, namespaces: 4 };

/** The minecraft server's port, as the networks of the seed with `--network` expose it. */
export const SEED_GAME_PORT = 25565;

/** `spec.network` for the seed's set: OKG's Kubernetes plugins with the minecraft port (kruise-game docs' examples). */
export function seedNetwork(type: EmulatedNetwork): {
  networkType: string;
  networkConf: { name: string; value: string }[];
} {
  return type === NETWORK_HOST_PORT
    ? {
        networkType: NETWORK_HOST_PORT,
        networkConf: [{ name: 'ContainerPorts', value: `${SEED.container}:${SEED_GAME_PORT}/TCP` }],
      }
    : { networkType: NETWORK_NODE_PORT, networkConf: [{ name: 'PortProtocols', value: `${SEED_GAME_PORT}/TCP` }] };
}

/** The seed's GameServerSet exactly as `../shared/seed` applies it; with `network`, plus that `spec.network`. */
export function seedGameServerSet(network?: EmulatedNetwork): object {
  return {
    apiVersion: 'game.kruise.io/v1alpha1',
    kind: 'GameServerSet',
    metadata: { name: SEED.gameServerSet, namespace: SEED.namespace },
    spec: {
      replicas: SEED.replicas,
      updateStrategy: { type: 'OnDelete' },
      gameServerTemplate: { spec: { containers: [{ image: SEED.image, name: SEED.container }] } },
      ...(network ? { network: seedNetwork(network) } : {}),
    },
  };
}

/** A GameServerSet of realistic size: several containers, resources, probes, env, network config. */
export function scaleGameServerSet(namespace: string, name: string, rooms: number, index: number): object {
  return {
    apiVersion: 'game.kruise.io/v1alpha1',
    kind: 'GameServerSet',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/name': name, 'game.example.com/region': `region-${index % 4}` },
    },
    spec: {
      replicas: rooms,
      updateStrategy: { type: 'OnDelete' },
      scaleStrategy: { scaleDownStrategyType: 'General' },
      gameServerTemplate: {
        metadata: {
          labels: { 'game.example.com/mode': index % 2 ? 'pvp' : 'pve' },
          annotations: { 'game.example.com/build': `2026.11.${index}` },
        },
        spec: {
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'game',
              image: `registry.example.com/games/${name}:1.0.${index}`,
              ports: [
                { name: 'game', containerPort: 7777, protocol: 'UDP' },
                { name: 'metrics', containerPort: 9100, protocol: 'TCP' },
              ],
              env: [
                { name: 'GAME_MODE', value: index % 2 ? 'pvp' : 'pve' },
                { name: 'MAX_PLAYERS', value: '16' },
                { name: 'LOG_LEVEL', value: 'info' },
              ],
              resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
              readinessProbe: { tcpSocket: { port: 7777 }, periodSeconds: 5 },
            },
            {
              name: 'sidecar',
              image: 'registry.example.com/tools/log-agent:3.2.1',
              resources: { requests: { cpu: '50m', memory: '64Mi' } },
            },
          ],
        },
      },
    },
  };
}

export async function createObject(kc: KubeConfig, obj: object): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  await api.create(obj as Parameters<typeof api.create>[0]);
}
