// UI checks in a real VS Code workbench (code-server + Chromium via Playwright),
// done as a person would: keyboard, real mouse moves and clicks, context menus.
// Run by test/vscode/run-in-code-server.mjs in a fresh window with the extension
// loaded (extensionDevelopmentPath, no extensionTestsPath) on the workspace
// test/vscode/workspace.
//
//   export default async (page, { port, workspace, out, locale }) => ({ passed, failed })
//
// Every check is counted, passed or failed; a failed check leaves a screenshot
// OUT/<check>-failure.png and the next check still runs. With locale 'zh-cn'
// (run-in-code-server.mjs --locale zh-cn) the same checks look for the
// extension's Simplified Chinese words (WORDS below); VS Code's own UI stays
// English there (no language pack offline), so its commands are typed in English.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';

const HOVER = '.monaco-resizable-hover .hover-contents, .monaco-editor-hover .hover-contents, .monaco-hover-content';

/** What the extension says, per display language (package.nls*.json, l10n/bundle.l10n.zh-cn.json, engine/registry/zh-cn.ts). */
const WORDS = {
  en: {
    subject: 'Subject', checkKeyMenu: 'Check Key', checkKey: 'TLS Lens: Check Key', connect: 'TLS Lens: Connect to Host',
    serve: 'TLS Lens: Serve TLS Here', connectRow: /^Connect/, matches: 'matches', noMatch: 'does NOT match',
    peerCertificates: /Peer certificates \((\d+)\)/i, likelyCauses: 'Likely causes', protocolCause: /protocol\s+versions/,
    compareButton: 'Compare', compareTab: /^Compare/, differences: /differences?/, protocolRow: 'Protocol',
    walkthrough: 'Get Started with TLS Lens', walkthroughStep: 'Check that a key matches its certificate', connectStep: 'Connect to a host',
    serving: 'serving :', connectTitle: 'TLS Lens: Connect to Host', waitingClient: 'Waiting for a client to connect…',
    scan: 'TLS Lens: Scan Server',
    // The engine's own sentences (engine/l10n/zh-cn/ in Chinese): an info line and a peer's alert.
    ticketLine: /session ticket received: lifetime \d+ s, \d+ bytes/, peerAlert: /the peer sent a fatal alert: protocol_version \(70\)/,
  },
  'zh-cn': {
    subject: '使用者', checkKeyMenu: '检查密钥', checkKey: 'TLS Lens: 检查密钥', connect: 'TLS Lens: 连接到主机',
    serve: 'TLS Lens: 在此提供 TLS 服务', connectRow: /^连接/, matches: '匹配', noMatch: '不匹配',
    peerCertificates: /对端证书（(\d+)）/, likelyCauses: '可能的原因', protocolCause: /最低和最高协议版本没有交集/,
    compareButton: '比较', compareTab: /^比较/, differences: /处不同/, protocolRow: '协议',
    walkthrough: 'TLS Lens 入门', walkthroughStep: '检查私钥与证书是否匹配', connectStep: '连接到主机',
    serving: '正在监听 :', connectTitle: 'TLS Lens：连接到主机', waitingClient: '正在等待客户端连接…',
    scan: 'TLS Lens: 扫描服务器',
    ticketLine: /收到会话票据：有效期 \d+ 秒，\d+ 字节/, peerAlert: /对端发送了致命告警：protocol_version（70）/,
  },
};

export default async function ui(page, { workspace, out, locale = 'en', onCheck = () => {} }) {
  const W = WORDS[locale] ?? WORDS.en;
  const zh = locale === 'zh-cn';
  let passed = 0, failed = 0;
  const shot = (name) => page.screenshot({ path: path.join(out, name) });
  const check = async (name, fn) => {
    const start = Date.now();
    try {
      await fn();
      onCheck(name, start, Date.now());
      passed++; console.log(`  ok   ${name}`);
    } catch (e) {
      failed++; console.error(`  FAIL ${name}\n       ${String(e.message).split('\n').slice(0, 3).join('\n       ')}`);
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
    // Enter only once the file is the focused row (the list refilters as the typing lands)
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: file }).first().waitFor({ state: 'visible' });
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
    const item = page.locator('.context-view .action-label, .monaco-menu .action-item .action-label', { hasText: new RegExp(`^${W.checkKeyMenu}$`) }).first();
    await item.waitFor({ state: 'visible', timeout: 5000 }).catch(async () => {
      const items = await page.locator('.context-view .action-label').allInnerTexts().catch(() => []);
      throw new Error(`the Explorer context menu of ${file} has no "${W.checkKeyMenu}"; it has ${JSON.stringify(items.filter(Boolean))}`);
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
    await palette(W.connect);
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(`127.0.0.1:${port}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: `127.0.0.1:${port}` }).first().waitFor({ state: 'visible', timeout: 5000 });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: W.connectRow }).first().waitFor({ state: 'visible', timeout: 5000 });
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
    expect(text.includes(W.subject), `the hover lacks "${W.subject}": ${JSON.stringify(text.slice(0, 300))}`);
    expect(/CN\s?=\s?localhost/.test(text), `the hover lacks "CN = localhost": ${JSON.stringify(text.slice(0, 300))}`);
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  // --- 2. Explorer context menu: Check Key on a matching pair ---------------
  await check('checkkey-match', async () => {
    await clearNotifications();
    await explorerCheckKey('server.pem');
    const msg = await toast(W.matches);
    expect(!msg.includes(W.noMatch), `unexpected message: ${msg}`);
    await shot('checkkey-match.png');
  });

  // --- 3. the same on a mismatched pair ------------------------------------
  await check('checkkey-mismatch', async () => {
    await clearNotifications();
    await explorerCheckKey('mismatch.pem');
    await toast(W.noMatch);
    await shot('checkkey-mismatch.png');
  });

  // --- 3b. the Command Palette lists the commands under "TLS Lens", in the display language; those that need a
  //         PEM file only while a PEM editor is active ------------------------------------------------------------
  await check('palette-titles', async () => {
    const listed = async () => {
      await page.keyboard.press('F1');
      await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
      await page.keyboard.type('TLS Lens');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: W.connect }).first().waitFor({ state: 'visible', timeout: 10000 });
      await page.waitForTimeout(300);
      return page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    };
    await quickOpen('server.pem');
    const inPem = await listed();
    await shot('palette-titles.png');
    await page.keyboard.press('Escape');
    for (const title of [W.checkKey, W.connect, W.serve]) expect(inPem.some((r) => r.includes(title)), `the palette lacks "${title}": ${JSON.stringify(inPem)}`);
    await quickOpen('README.md');
    const elsewhere = await listed();
    await page.keyboard.press('Escape');
    expect(!elsewhere.some((r) => r.includes(W.checkKey) || r.includes(W.serve)), `commands that need a PEM file are offered in README.md: ${JSON.stringify(elsewhere)}`);
  });

  // --- 4. Command Palette on an open editor ---------------------------------
  await check('palette-checkkey', async () => {
    await clearNotifications();
    await quickOpen('server.pem');
    await palette(W.checkKey);
    const msg = await toast(W.matches);
    expect(!msg.includes(W.noMatch), `unexpected message: ${msg}`);
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
      const lines = await body.innerText();
      expect(W.ticketLine.test(lines), `the engine's info line about the ticket, in the display language: ${lines.slice(0, 600)}`);
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
      const chainHeading = body.locator('h2', { hasText: W.peerCertificates }).first();
      await chainHeading.scrollIntoViewIfNeeded();
      expect(W.peerCertificates.exec(await chainHeading.innerText())?.[1] === '1', 'the chain view lists the one certificate s_server sent');
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
      expect(text.includes(W.likelyCauses) && W.protocolCause.test(text), `the explanation gives the likely causes: ${text.slice(0, 400)}`);
      expect(W.peerAlert.test(text), `the engine's error sentence, in the display language: ${text.slice(0, 400)}`);
      await page.waitForTimeout(800);
      await shot('session-failure.png');
    } finally {
      server.kill();
    }
  });

  // --- 7. the failure compared with the success, side by side ----------------
  await check('compare-sessions', async () => {
    const failing = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame').locator('body');
    await failing.locator('vscode-button', { hasText: W.compareButton }).first().click();
    const picker = page.locator('.quick-input-widget input');
    if (await picker.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) {
      await page.keyboard.type(`127.0.0.1:${successPort}`);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: `127.0.0.1:${successPort}` }).first().waitFor({ state: 'visible', timeout: 5000 });
      await page.keyboard.press('Enter');
    }
    await page.locator('.tabs-container .tab.active', { hasText: W.compareTab }).waitFor({ state: 'visible', timeout: 10000 });
    const body = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame').locator('body');
    await body.getByText(W.differences).first().waitFor({ state: 'visible', timeout: 10000 });
    const text = await body.innerText();
    const row = new RegExp(`${W.protocolRow}\\s+–\\s+TLSv1\\.3|${W.protocolRow}\\s+TLSv1\\.3\\s+–`);
    expect(row.test(text.replace(/\t/g, ' ')), `the Protocol row shows the failed session's none against TLSv1.3: ${text.slice(0, 600)}`);
    expect(/protocol_version/.test(text), 'the alert of the failed session is in the comparison');
    await page.waitForTimeout(300);
    await shot('session-compare.png');
  });

  // --- 8. the Getting Started walkthrough, opened as a person finds it ------------------------------------
  await check('walkthrough', async () => {
    await page.keyboard.press('Escape');
    await palette('Welcome: Open Walkthrough...');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('TLS Lens');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: W.walkthrough }).first().waitFor({ state: 'visible', timeout: 10000 })
      .catch(async () => { throw new Error(`the walkthrough list has no "${W.walkthrough}": ${JSON.stringify(await page.locator('.quick-input-list .monaco-list-row').allInnerTexts())}`); });
    await page.keyboard.press('Enter');
    const title = page.getByText(W.walkthrough, { exact: true }).filter({ visible: true }).first();
    await page.getByText(W.walkthroughStep).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: 15000 });
    await title.waitFor({ state: 'visible', timeout: 5000 });
    await page.waitForTimeout(1500);   // the step's markdown media renders in a webview
    await shot('walkthrough.png');
    // A completion event: running Connect to Host (its key, then Escape) ticks its step. (Events from before the
    // walkthrough page first opened do not count: VS Code starts listening then, as startupEditor is "none" here.)
    const step = page.locator('button.getting-started-step', { hasText: W.connectStep }).filter({ visible: true }).first();
    expect(!(await step.locator('.complete').count()), 'the Connect to Host step is done before it was run');
    await page.keyboard.press('Control+Alt+Shift+H');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: W.connectTitle }).waitFor({ state: 'visible', timeout: 10000 });
    await page.keyboard.press('Escape');
    await step.locator('.complete').first().waitFor({ state: 'attached', timeout: 10000 })
      .catch(() => { throw new Error(`the step "${W.connectStep}" was not ticked after Connect to Host ran`); });
    await step.click();
    await page.waitForTimeout(1500);
    await shot('walkthrough-connect.png');
    await palette('View: Close Editor');
  });

  // --- 9. keybindings: Check Key in a PEM editor, Connect to Host anywhere ------------------------------
  await check('keybinding-checkkey', async () => {
    await clearNotifications();
    await quickOpen('server.pem');
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();   // the editor has focus
    await page.keyboard.press('Control+Alt+Shift+K');
    const msg = await toast(W.matches);
    expect(!msg.includes(W.noMatch), `unexpected message: ${msg}`);
    await shot('keybinding-checkkey.png');
  });
  await check('keybinding-connect', async () => {
    await page.keyboard.press('Control+Alt+Shift+H');
    const title = page.locator('.quick-input-widget .quick-input-title', { hasText: W.connectTitle });
    await title.waitFor({ state: 'visible', timeout: 10000 }).catch(async () => {
      throw new Error(`Ctrl+Alt+Shift+H did not open "${W.connectTitle}": ${JSON.stringify(await page.locator('.quick-input-widget .quick-input-title').allInnerTexts().catch(() => []))}`);
    });
    await shot('keybinding-connect.png');
    await page.keyboard.press('Escape');
  });

  // --- 10. the status bar while Serve TLS Here runs; its menu stops the server ------------------------
  await check('statusbar', async () => {
    await clearNotifications();
    const item = page.locator('.statusbar-item', { hasText: 'TLS Lens' });
    expect(!(await item.filter({ hasText: W.serving }).count()), 'the status bar says a server runs before one was started');
    await quickOpen('server.pem');
    await palette(W.serve);
    const serving = item.filter({ hasText: W.serving }).first();
    await serving.waitFor({ state: 'visible', timeout: 15000 }).catch(async () => {
      throw new Error(`no status bar item saying "${W.serving}…": ${JSON.stringify(await page.locator('.statusbar-item').allInnerTexts())}`);
    });
    const panel = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame').locator('body');
    await panel.getByText(W.waitingClient).first().waitFor({ state: 'visible', timeout: 15000 });
    await page.waitForTimeout(500);
    await shot('statusbar.png');
    await serving.click();
    const stop = page.locator('.quick-input-list .monaco-list-row', { hasText: zh ? /停止/ : /Stop the server/ }).first();
    await stop.waitFor({ state: 'visible', timeout: 5000 });
    await shot('statusbar-menu.png');
    await stop.click();
    await item.filter({ hasText: W.serving }).first().waitFor({ state: 'detached', timeout: 10000 })
      .catch(() => { throw new Error('the status bar item stayed after the server was stopped'); });
  });

  // --- 13. Scan Server from the palette against a TLS 1.2-only s_server with one suite: the report panel ---
  await check('scan-server', async () => {
    await clearNotifications();
    const server = await opensslServer('-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256');
    try {
      await palette(W.scan);
      await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
      await page.keyboard.type(`127.0.0.1:${server.port}`);
      await page.keyboard.press('Enter');
      const body = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame').locator('body');
      await body.getByText('ECDHE-ECDSA-AES128-GCM-SHA256').first().waitFor({ state: 'visible', timeout: 90000 }).catch(async () => {
        throw new Error(`the scan panel never listed the suite; it shows: ${(await body.innerText().catch(() => '')).slice(0, 500)}`);
      });
      const text = await body.innerText();
      expect(/TLSv1\.2/.test(text) && !/TLS_AES_128_GCM_SHA256/.test(text), `the panel shows TLS 1.2 and no TLS 1.3 suite: ${text.slice(0, 400)}`);
      await page.waitForTimeout(500);
      await shot('scan-panel.png');
    } finally {
      server.kill();
    }
  });

  return { passed, failed };
}
