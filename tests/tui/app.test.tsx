import { afterEach, describe, expect, it } from 'vitest';
import { renderApp, type Ui } from './helpers.js';

const DEMO = 'captures/demo.pcap';
let ui: Ui | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

describe('flows list', () => {
  it('shows every flow with its columns', async () => {
    ui = await renderApp(DEMO);
    const f = await ui.waitFor('ftp-data');
    console.log(JSON.stringify(f));
  });
});
