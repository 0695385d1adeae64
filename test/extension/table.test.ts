// The one command table against package.json: every command the table registers is contributed and every
// contributed command is registered; menus name only real commands and submenus; the palette shows the
// commands the issue lists under category OKG.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { commandTable, type RoomCommands, type ViewCommands } from '../../src/commands/table.js';
import { activateWith, deactivateAll, stub } from './harness.js';

interface Contributed { command: string; title: string; category?: string }
interface MenuItem { command?: string; submenu?: string; when?: string }
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  main: string; activationEvents: string[];
  contributes: { commands: Contributed[]; menus: Record<string, MenuItem[]>; submenus: { id: string }[]; views: Record<string, { id: string }[]>; viewsWelcome: { view: string; contents: string; when: string }[]; configuration: { properties: Record<string, unknown> } };
};

describe('extension: command table and package.json', () => {
  const table = Object.keys(commandTable({} as ViewCommands, {} as RoomCommands, async () => undefined));
  const contributed = pkg.contributes.commands.map(c => c.command);

  it('registers exactly the contributed commands, once each', async () => {
    assert.deepEqual([...table].sort(), [...contributed].sort());
    assert.equal(new Set(contributed).size, contributed.length);
    const ext = activateWith({ 'okg.kubeconfig': '/nonexistent/kubeconfig' });
    try {
      assert.deepEqual(stub.commands.registered().filter(c => c.startsWith('okg.')).sort(), [...table].sort());
      assert.ok(stub.commands.registered().includes('okg.release'), 'the release wizard is registered through the table');
    } finally {
      await deactivateAll(ext);
    }
  });

  it('menus reference only contributed commands and submenus; the palette shows the listed commands', () => {
    const submenus = new Set(pkg.contributes.submenus.map(s => s.id));
    for (const [menu, items] of Object.entries(pkg.contributes.menus)) {
      if (menu !== 'commandPalette' && !menu.startsWith('view/')) assert.ok(submenus.has(menu), `menu ${menu} is a declared submenu`);
      for (const i of items) {
        if (i.command) assert.ok(contributed.includes(i.command), `${menu}: ${i.command}`);
        if (i.submenu) assert.ok(submenus.has(i.submenu), `${menu}: submenu ${i.submenu}`);
      }
    }
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'OKG', c.command);
    const hidden = new Set(pkg.contributes.menus.commandPalette.filter(i => i.when === 'false').map(i => i.command));
    const palette = pkg.contributes.commands.filter(c => !hidden.has(c.command)).map(c => c.title);
    for (const t of ['Set opsState…', 'Select Namespaces…', 'Switch Context…', 'Start Demo Cluster', 'Refresh', 'Show Log']) assert.ok(palette.includes(t), t);
    const opsMenu = pkg.contributes.menus['okg.opsStateMenu'].map(i => pkg.contributes.commands.find(c => c.command === i.command)!.title);
    assert.deepEqual([...opsMenu].sort(), ['Allocated', 'Custom…', 'Kill', 'Maintaining', 'None', 'WaitToBeDeleted']);
  });

  it('contributes the view, the three welcome states and the settings', () => {
    assert.equal(pkg.main, './dist/extension.cjs');
    assert.deepEqual(pkg.contributes.views.okg.map(v => v.id), ['okg.gameServers']);
    assert.deepEqual(pkg.contributes.viewsWelcome.map(w => w.when), ['okg.welcome == noKubeconfig', 'okg.welcome == noCrds', 'okg.welcome == noGameServerSets']);
    assert.match(pkg.contributes.viewsWelcome[0].contents, /\(command:okg\.startDemoCluster\)/);
    assert.match(pkg.contributes.viewsWelcome[2].contents, /\(command:okg\.selectNamespaces\)/);
    assert.deepEqual(Object.keys(pkg.contributes.configuration.properties).sort(), ['okg.confirmDestructiveChanges', 'okg.kubeconfig', 'okg.namespaces', 'okg.pollFallbackSeconds']);
  });
});
