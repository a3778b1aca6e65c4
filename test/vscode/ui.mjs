// UI checks in a real VS Code workbench (code-server + Chromium via Playwright),
// done as a person would: keyboard, real mouse moves and clicks, context menus.
// Run by test/vscode/run-in-code-server.mjs in a fresh window with the extension
// loaded (extensionDevelopmentPath, no extensionTestsPath) on the workspace
// test/vscode/workspace.
//
//   export default async (page, { port, workspace, out }) => ({ passed, failed })
//
// Every check is counted, passed or failed; a failed check leaves a screenshot
// OUT/<check>-failure.png and the next check still runs.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';

const HOVER = '.monaco-resizable-hover .hover-contents, .monaco-editor-hover .hover-contents, .monaco-hover-content';

export default async function ui(page, { workspace, out }) {
  let passed = 0, failed = 0;
  const shot = (name) => page.screenshot({ path: path.join(out, name) });
  const check = async (name, fn) => {
    try {
      await fn();
      passed++; console.log(`  ok   ${name}`);
    } catch (e) {
      failed++; console.error(`  FAIL ${name}\n       ${String(e.message).split('\n')[0]}`);
      const file = `${name.replace(/[^\w]+/g, '-').toLowerCase()}-failure.png`;
      await shot(file).catch(() => {});
      console.error(`       screenshot: ${path.join(out, file)}`);
      await page.keyboard.press('Escape').catch(() => {});
    }
  };
  const expect = (cond, msg) => { if (!cond) throw new Error(msg); };

  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
  await page.waitForTimeout(1000);   // let the workbench settle (views, extension host)

  // --- helpers: Quick Open, Command Palette, notifications, Explorer ---------
  const quickOpen = async (file) => {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(file);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: file }).waitFor({ state: 'visible', timeout: 10000 });
    await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
  };
  const palette = async (title) => {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(title);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first()
      .waitFor({ state: 'visible', timeout: 10000 })
      .catch(() => { throw new Error(`the Command Palette has no "${title}"`); });
    await page.keyboard.press('Enter');
  };
  const clearNotifications = async () => {
    await palette('Notifications: Clear All Notifications');
    await page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
  };
  const toast = async (text, ms = 15000) => {
    const t = page.locator('.notification-toast.notification-fade-in-done', { hasText: text })
      .locator('.notification-list-item-message').first();
    await t.waitFor({ state: 'visible', timeout: ms }).catch(async () => {
      const seen = await page.locator('.notification-toast .notification-list-item-message').allInnerTexts().catch(() => []);
      throw new Error(`no notification containing "${text}"; shown: ${JSON.stringify(seen)}`);
    });
    await page.waitForTimeout(300);   // fade-in
    return t.innerText();
  };
  const explorerRow = (file) => page.locator('.explorer-folders-view .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${file.replace(/\./g, '\\.')}$`) }),
  });
  const explorerCheckKey = async (file) => {
    await page.keyboard.press('Control+Shift+E');   // show and focus the Explorer
    const row = explorerRow(file);
    await row.waitFor({ state: 'visible', timeout: 10000 });
    await row.click({ button: 'right' });
    const item = page.locator('.context-view .action-label, .monaco-menu .action-item .action-label', { hasText: /^Check Key$/ }).first();
    await item.waitFor({ state: 'visible', timeout: 5000 }).catch(async () => {
      const items = await page.locator('.context-view .action-label').allInnerTexts().catch(() => []);
      throw new Error(`the Explorer context menu of ${file} has no "Check Key"; it has ${JSON.stringify(items.filter(Boolean))}`);
    });
    await item.hover();
    await item.click();
  };

  // Connect to Host as a person does: the palette, host:port typed, then "Connect".
  const opensslServer = async (...versionFlags) => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', path.join(workspace, 'server-cert.pem'),
      '-key', path.join(workspace, 'server-key.pem'), ...versionFlags, '-www'], { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise((resolve, reject) => {
      let outText = '';
      proc.stdout.on('data', (b) => { outText += b; if (/ACCEPT/.test(outText)) resolve(); });
      proc.on('error', reject);
      setTimeout(() => reject(new Error('openssl s_server did not start')), 10000);
    });
    return { port, kill: () => proc.kill() };
  };
  const connectFromPalette = async (port) => {
    await palette('TLS Lens: Connect to Host');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(`127.0.0.1:${port}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: `127.0.0.1:${port}` }).first().waitFor({ state: 'visible', timeout: 5000 });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: /^Connect/ }).first().waitFor({ state: 'visible', timeout: 5000 });
    await page.keyboard.press('Enter');
  };

  // --- 1. hover over the certificate block with the real mouse --------------
  await check('hover', async () => {
    await quickOpen('server.pem');
    const third = fs.readFileSync(path.join(workspace, 'server.pem'), 'utf8').split(/\r?\n/)[2];
    const line = page.locator('.editor-instance .monaco-editor .view-lines .view-line', { hasText: third.slice(0, 24) }).first();
    await line.waitFor({ state: 'visible' });
    const hover = page.locator(HOVER).filter({ visible: true }).first();
    const end = Date.now() + 30000;   // retry while the extension activates
    for (let i = 0; ; i++) {
      const box = await line.boundingBox();
      if (!box) {                                                 // re-rendered under us: look again
        if (Date.now() > end) throw new Error('line 3 of server.pem never got a position on screen');
        await page.waitForTimeout(200);
        continue;
      }
      await page.mouse.move(box.x + 300, box.y + 300);           // away, then onto the line
      await page.mouse.move(box.x + 60 + (i % 5) * 8, box.y + box.height / 2, { steps: 5 });
      try { await hover.waitFor({ state: 'visible', timeout: 3000 }); break; } catch {}
      if (Date.now() > end) throw new Error('no hover appeared over line 3 of server.pem');
    }
    await page.waitForTimeout(500);   // fade-in
    const text = await page.locator(HOVER).filter({ visible: true }).allInnerTexts().then((t) => t.join('\n'));
    await shot('hover.png');
    expect(/Subject/.test(text), `the hover lacks "Subject": ${JSON.stringify(text.slice(0, 300))}`);
    expect(/CN\s?=\s?localhost/.test(text), `the hover lacks "CN = localhost": ${JSON.stringify(text.slice(0, 300))}`);
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  // --- 2. Explorer context menu: Check Key on a matching pair ---------------
  await check('checkkey-match', async () => {
    await clearNotifications();
    await explorerCheckKey('server.pem');
    const msg = await toast('matches');
    expect(!/NOT match/.test(msg), `unexpected message: ${msg}`);
    await shot('checkkey-match.png');
  });

  // --- 3. the same on a mismatched pair ------------------------------------
  await check('checkkey-mismatch', async () => {
    await clearNotifications();
    await explorerCheckKey('mismatch.pem');
    await toast('does NOT match');
    await shot('checkkey-mismatch.png');
  });

  // --- 4. Command Palette on an open editor ---------------------------------
  await check('palette-checkkey', async () => {
    await clearNotifications();
    await quickOpen('server.pem');
    await palette('TLS Lens: Check Key');
    await toast('matches');
    await shot('palette-checkkey.png');
  });

  // --- 5. Connect to Host from the Command Palette, against openssl s_server --
  let successPort;
  await check('connect-to-host', async () => {
    await clearNotifications();
    const server = await opensslServer('-tls1_3');
    successPort = server.port;
    try {
      await connectFromPalette(server.port);
      const body = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('body');
      await body.getByText('TLSv1.3').first().waitFor({ state: 'visible', timeout: 20000 }).catch(async () => {
        throw new Error(`the session panel never showed TLSv1.3; it shows: ${(await body.innerText().catch(() => '')).slice(0, 500)}`);
      });
      await page.waitForTimeout(800);
      await shot('session-panel.png');
      // The ClientHello opened: pointing at byte 6 lights up the 32-byte random and names it.
      await body.locator('.ev-head', { hasText: /ClientHello/ }).first().click();
      const byte = body.locator('.hexview .by[data-i="6"]').first();
      await byte.waitFor({ state: 'visible', timeout: 5000 });
      await byte.hover();
      const field = (await body.locator('.hexfield').first().innerText()).trim();
      expect(/^random\s+@6 \+32$/.test(field), `pointing at byte 6 names the field: "${field}"`);
      expect(await body.locator('.hexview .by.hl').count() === 64, 'the 32 bytes of the random are lit in the hex and ASCII columns');
      await shot('session-hex.png');
      // The chain as cards, with the verdict per link.
      const chainHeading = body.locator('h2', { hasText: /Peer certificates/i }).first();
      await chainHeading.scrollIntoViewIfNeeded();
      expect(/Peer certificates \(1\)/i.test(await chainHeading.innerText()), 'the chain view lists the one certificate s_server sent');
      await page.waitForTimeout(300);
      await shot('session-chain.png');
    } finally {
      server.kill();
    }
  });

  // --- 6. a failure explained: the server speaks only TLS 1.1, below our default minimum ---
  await check('connect-failure', async () => {
    await clearNotifications();
    const server = await opensslServer('-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0');
    try {
      await connectFromPalette(server.port);
      const body = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame').locator('body');
      await body.getByText(/protocol_version/).first().waitFor({ state: 'visible', timeout: 20000 }).catch(async () => {
        throw new Error(`the panel never explained the protocol_version failure; it shows: ${(await body.innerText().catch(() => '')).slice(0, 600)}`);
      });
      const text = await body.innerText();
      expect(/SSL_ERROR_SSL|SSL_connect/.test(text), 'the SSL_connect outcome is shown');
      expect(/Likely causes/.test(text) && /protocol\s+versions/.test(text), `the explanation gives the likely causes: ${text.slice(0, 400)}`);
      await page.waitForTimeout(800);
      await shot('session-failure.png');
    } finally {
      server.kill();
    }
  });

  // --- 7. the failure compared with the success, side by side ----------------
  await check('compare-sessions', async () => {
    const failing = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame').locator('body');
    await failing.locator('vscode-button', { hasText: 'Compare' }).first().click();
    const picker = page.locator('.quick-input-widget input');
    if (await picker.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) {
      await page.keyboard.type(`127.0.0.1:${successPort}`);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: `127.0.0.1:${successPort}` }).first().waitFor({ state: 'visible', timeout: 5000 });
      await page.keyboard.press('Enter');
    }
    await page.locator('.tabs-container .tab.active', { hasText: /^Compare/ }).waitFor({ state: 'visible', timeout: 10000 });
    const body = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame').locator('body');
    await body.getByText(/differences?/).first().waitFor({ state: 'visible', timeout: 10000 });
    const text = await body.innerText();
    expect(/Protocol\s+–\s+TLSv1\.3|Protocol\s+TLSv1\.3\s+–/.test(text.replace(/\t/g, ' ')), `the Protocol row shows the failed session's none against TLSv1.3: ${text.slice(0, 600)}`);
    expect(/protocol_version/.test(text), 'the alert of the failed session is in the comparison');
    await page.waitForTimeout(300);
    await shot('session-compare.png');
  });

  return { passed, failed };
}
