// The one command table against package.json: every command the table registers is contributed and every
// contributed command is registered; menus name only real commands and submenus; the palette shows the
// commands the issue lists under category OKG.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { commandTable, type RoomCommands, type ViewCommands, type CloseUpCommands } from '../../src/commands/table.js';
import { activateWith, deactivateAll, stub } from './harness.js';

interface Contributed {
  command: string;
  title: string;
  category?: string;
}
interface MenuItem {
  command?: string;
  submenu?: string;
  when?: string;
}
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: Contributed[];
    menus: Record<string, MenuItem[]>;
    submenus: { id: string }[];
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; contents: string; when: string }[];
    configuration: { properties: Record<string, unknown> };
  };
};

describe('extension: command table and package.json', () => {
  const table = Object.keys(
    commandTable(
      {} as ViewCommands,
      {} as RoomCommands,
      async () => undefined,
      async () => undefined,
      {} as CloseUpCommands,
    ),
  );
  const contributed = pkg.contributes.commands.map(c => c.command);

  it('registers exactly the contributed commands, once each', async () => {
    assert.deepEqual([...table].sort(), [...contributed].sort());
    assert.equal(new Set(contributed).size, contributed.length);
    const ext = activateWith({ 'okg.kubeconfig': '/nonexistent/kubeconfig' });
    try {
      assert.deepEqual(
        stub.commands
          .registered()
          .filter(c => c.startsWith('okg.'))
          .sort(),
        [...table].sort(),
      );
      assert.ok(
        stub.commands.registered().includes('okg.release'),
        'the release wizard is registered through the table',
      );
    } finally {
      await deactivateAll(ext);
    }
  });

  it('menus reference only contributed commands and submenus; the palette shows the listed commands', () => {
    const submenus = new Set(pkg.contributes.submenus.map(s => s.id));
    for (const [menu, items] of Object.entries(pkg.contributes.menus)) {
      if (menu !== 'commandPalette' && !menu.startsWith('view/'))
        assert.ok(submenus.has(menu), `menu ${menu} is a declared submenu`);
      for (const i of items) {
        if (i.command) assert.ok(contributed.includes(i.command), `${menu}: ${i.command}`);
        if (i.submenu) assert.ok(submenus.has(i.submenu), `${menu}: submenu ${i.submenu}`);
      }
    }
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'OKG', c.command);
    const hidden = new Set(pkg.contributes.menus.commandPalette.filter(i => i.when === 'false').map(i => i.command));
    const palette = pkg.contributes.commands.filter(c => !hidden.has(c.command)).map(c => c.title);
    for (const t of [
      'Set opsState…',
      'Select Namespaces…',
      'Switch Context…',
      'Start Demo Cluster',
      'Refresh',
      'Show Log',
    ])
      assert.ok(palette.includes(t), t);
    const opsMenu = pkg.contributes.menus['okg.opsStateMenu'].map(
      i => pkg.contributes.commands.find(c => c.command === i.command)!.title,
    );
    assert.deepEqual([...opsMenu].sort(), ['Allocated', 'Custom…', 'Kill', 'Maintaining', 'None', 'WaitToBeDeleted']);
  });

  it('contributes the view, the welcome states (each with its buttons) and the settings', () => {
    assert.equal(pkg.main, './dist/extension.cjs');
    assert.deepEqual(
      pkg.contributes.views.okg.map(v => v.id),
      ['okg.gameServers'],
    );
    const welcome = Object.fromEntries(pkg.contributes.viewsWelcome.map(w => [w.when, w.contents]));
    assert.deepEqual(
      Object.keys(welcome),
      ['noKubeconfig', 'missingKubeconfig', 'badKubeconfig', 'noCrds', 'noGameServerSets'].map(
        s => `okg.welcome == ${s}`,
      ),
    );
    // Every state the explorer can set has a welcome (format.ts decides; connections.ts names the kubeconfig ones).
    const buttons = (state: string) =>
      [...welcome[`okg.welcome == ${state}`].matchAll(/\]\(command:([\w.]+)/g)].map(m => m[1]);
    for (const state of ['noKubeconfig', 'missingKubeconfig', 'badKubeconfig']) {
      assert.ok(buttons(state).includes('okg.startDemoCluster'), `${state}: Start Demo Cluster`);
      assert.ok(buttons(state).includes('workbench.action.openSettings'), `${state}: Open Settings`);
      assert.doesNotMatch(
        welcome[`okg.welcome == ${state}`],
        /--kubeconfig|--context/,
        'extension advice, not CLI flags',
      );
    }
    assert.ok(buttons('noGameServerSets').includes('okg.selectNamespaces'));
    assert.deepEqual(Object.keys(pkg.contributes.configuration.properties).sort(), [
      'okg.argo.approval',
      'okg.argo.image',
      'okg.confirmDestructiveChanges',
      'okg.contexts',
      'okg.kubeconfig',
      'okg.namespaces',
      'okg.pollFallbackSeconds',
      'okg.protectedContexts',
    ]);
  });

  it('okg.kubeconfig is a list of paths, in a scope the User and Remote settings both show', () => {
    const k = pkg.contributes.configuration.properties['okg.kubeconfig'] as {
      type: unknown;
      items?: { type: string };
      default: unknown;
      scope?: string;
    };
    // A plain array of strings gets the settings editor's list editor; a string-or-array gets no input at all.
    assert.deepEqual([k.type, k.items?.type, k.default], ['array', 'string', []]);
    // "window": configurable in user, workspace or remote settings. machine and machine-overridable settings
    // are missing from the User tab of a remote window (and of code-server); application is local-only.
    assert.equal(k.scope, 'window');
  });

  it('reads an old single-string okg.kubeconfig as a list of one', async () => {
    const { settings } = await import('../../src/views/settings.js');
    stub.config.clear();
    stub.config.set('okg.kubeconfig', ' /home/me/.kube/config ');
    assert.deepEqual(settings().kubeconfig, ['/home/me/.kube/config']);
    stub.config.set('okg.kubeconfig', ['/a', '', '  ', '/b']);
    assert.deepEqual(settings().kubeconfig, ['/a', '/b']);
    stub.config.set('okg.kubeconfig', '');
    assert.deepEqual(settings().kubeconfig, []);
    stub.config.clear();
  });
});
