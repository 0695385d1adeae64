// What "ready" means for a new room: ready for players, as open-match-director allocates (API.md §7):
// currentState Ready, opsState None and, when the GameServerSet configures a network, currentNetworkState
// Ready. The one definition the engine's gate, the plan text, the CLI, the wizard and the Argo export share.
import type { RoomView } from '../cluster/okg.js';

/** What of the GameServerSet the definition reads. */
export interface ReadinessOf {
  network: boolean;
}

/** Why a room is not ready for players (undefined: it is). */
export function notReadyForPlayers(
  room: Pick<RoomView, 'state' | 'opsState' | 'networkState'>,
  gss: ReadinessOf,
): string | undefined {
  if (room.state !== 'Ready') return `state ${room.state || 'Creating'}`;
  if (room.opsState !== 'None') return `opsState ${room.opsState}`;
  if (gss.network && room.networkState !== 'Ready') return `network ${room.networkState || 'not reported'}`;
  return undefined;
}

export function readyForPlayers(
  room: Pick<RoomView, 'state' | 'opsState' | 'networkState'>,
  gss: ReadinessOf,
): boolean {
  return notReadyForPlayers(room, gss) === undefined;
}

/** The definition in words, for the plan, the CLI and the wizard. */
export function readyDefinition(gss: ReadinessOf): string {
  return `state Ready, opsState None${gss.network ? ', network Ready' : ''}`;
}

/** The same definition as a jq filter over one GameServer object (the Argo export's check). */
export function readyForPlayersJq(gss: ReadinessOf): string {
  return `(.status.currentState == "Ready" and (.spec.opsState // "" | . == "" or . == "None")${gss.network ? ' and .status.networkStatus.currentNetworkState == "Ready"' : ''})`;
}
