// How each node of the Game Servers tree looks: label, description, tooltip, icon, id and context value
// (the menus' `viewItem`). The words and icon choices come from format.ts; this file maps them to VS Code.
// The Markdown tooltips of sets and rooms are built only when hovered (`tooltipOf`, from resolveTreeItem).
import * as vscode from 'vscode';
import { plural } from '../cluster/util.js';
import type { Node } from './treeNodes.js';
import { isProtected, serverHost } from './identity.js';
import {
  gssDescription,
  gssIcon,
  gssTooltip,
  roomDescription,
  roomIcon,
  roomTooltip,
  type IconChoice,
} from './format.js';

const themeIcon = (i: IconChoice) => new vscode.ThemeIcon(i.id, i.color ? new vscode.ThemeColor(i.color) : undefined);

function markdown(text: string): vscode.MarkdownString {
  const m = new vscode.MarkdownString(text, true);
  m.isTrusted = false;
  return m;
}

/** The tree item of `node`; a set's row takes its description from its element's memo. */
export function treeItem(node: Node, setDescription?: string): vscode.TreeItem {
  const Collapsible = vscode.TreeItemCollapsibleState;
  switch (node.kind) {
    case 'context': {
      const item = new vscode.TreeItem(node.conn.contextName, Collapsible.Expanded);
      item.id = `context/${node.conn.id}`;
      item.contextValue = 'okg.context';
      const guard = isProtected(node.conn);
      item.iconPath = new vscode.ThemeIcon(node.conn.demo ? 'beaker' : guard ? 'shield' : 'cloud');
      item.description = `${serverHost(node.conn.client.server)}${guard ? ' · protected' : ''}`;
      item.tooltip = `Kubernetes context ${node.conn.contextName}, server ${serverHost(node.conn.client.server)}${guard ? ' (protected: writes ask first, destructive ones need the set name typed)' : ''}`;
      return item;
    }
    case 'namespace': {
      const item = new vscode.TreeItem(node.namespace, Collapsible.Expanded);
      item.id = `namespace/${node.conn.id}/${node.namespace}`;
      item.contextValue = 'okg.namespace';
      item.iconPath = new vscode.ThemeIcon('symbol-namespace');
      return item;
    }
    case 'gss': {
      const item = new vscode.TreeItem(
        node.gss.name,
        // VS Code keeps a row's first state: a big set shown while its rooms are still listing starts collapsed too.
        Math.max(node.rooms.length, node.gss.replicas) > 50 ? Collapsible.Collapsed : Collapsible.Expanded,
      );
      item.id = node.gss.uid;
      item.description = setDescription ?? gssDescription(node.gss, node.rooms);
      item.iconPath = themeIcon(gssIcon(node.gss));
      item.contextValue = 'okg.gameServerSet';
      return item;
    }
    case 'room': {
      const item = new vscode.TreeItem(node.room.name, Collapsible.None);
      item.id = node.room.uid;
      item.description = roomDescription(node.room, node.network);
      item.iconPath = themeIcon(roomIcon(node.room));
      item.contextValue = 'okg.gameServer';
      return item;
    }
    case 'version': {
      const item = new vscode.TreeItem(
        `${node.label} (${plural(node.rooms.length, 'room')})`,
        node.rooms.length > 50 ? Collapsible.Collapsed : Collapsible.Expanded,
      );
      item.id = `${node.set.gss.uid}/version/${node.label}`;
      item.description = node.template ? 'the template' : 'old version';
      item.tooltip = `${plural(node.rooms.length, 'room')} of ${node.set.gss.name} run ${node.label}${node.template ? ", the set's template" : ''}`;
      item.iconPath = new vscode.ThemeIcon('versions');
      item.contextValue = 'okg.version';
      return item;
    }
    case 'message': {
      const item = new vscode.TreeItem(node.text, Collapsible.None);
      item.id = node.id;
      item.tooltip = node.text;
      item.contextValue = node.error ? 'okg.error' : 'okg.info';
      item.iconPath = node.error
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
        : new vscode.ThemeIcon('info');
      return item;
    }
  }
}

/** The hover of a set or a room (Markdown, built on demand); undefined for the others, whose tooltip is set. */
export function tooltipOf(node: Node): vscode.MarkdownString | undefined {
  if (node.kind === 'gss') return markdown(gssTooltip(node.gss, node.rooms));
  if (node.kind === 'room') return markdown(roomTooltip(node.room));
  return undefined;
}
