// Registers the `vscode` → stub resolution hook. scripts/test.mjs imports this before loading any test file
// (or run mocha with `--import ./out/test/extension/stub/register.js`).
import { register } from 'node:module';

register('./hooks.js', import.meta.url);
