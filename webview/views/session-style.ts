// The session panel's stylesheet: VS Code theme variables only (with fallbacks for the few a theme may omit),
// so the panel follows light, dark and high-contrast themes. Injected as a <style> element (the CSP allows
// inline styles; scripts only by nonce).
import { CERTIFICATE_CARD_STYLE } from './certificate-card';

export const SESSION_STYLE = `
body.tls-session { margin: 0; padding: 0; overflow: hidden; background: var(--vscode-editor-background); color: var(--vscode-foreground);
  font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); }
body.tls-session [hidden] { display: none !important; }
.sess { display: flex; flex-direction: column; height: 100vh; min-width: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.mono { font-family: var(--vscode-editor-font-family, monospace); }
.muted { color: var(--vscode-descriptionForeground); }

/* header */
.sess-header { padding: 10px 16px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
.h-row { display: flex; align-items: center; gap: 6px 12px; flex-wrap: wrap; }
.h-row h1 { font-size: 1.25em; font-weight: 600; margin: 0; overflow-wrap: anywhere; }
.h-actions { margin-left: auto; display: flex; gap: 6px; flex-wrap: wrap; }
.badge { display: inline-block; font-size: 0.78em; font-weight: 600; letter-spacing: 0.05em; text-transform: uppercase;
  padding: 0 8px; line-height: 18px; border-radius: 9px; border: 1px solid currentColor; white-space: nowrap; }
.state-open, .verif-ok { color: var(--vscode-charts-green, #89d185); }
.state-connecting, .state-handshaking { color: var(--vscode-charts-yellow, #cca700); }
.state-listening { color: var(--vscode-charts-blue, #3794ff); }
.state-closed, .verif-not-performed { color: var(--vscode-descriptionForeground); }
.state-failed, .verif-failed { color: var(--vscode-errorForeground, #f48771); }
.target { margin-top: 6px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.pill { font-size: 0.85em; padding: 0 6px; line-height: 18px; border-radius: 3px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.target .addr { font-family: var(--vscode-editor-font-family, monospace); }
.settings { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 16px; font-size: 0.92em; }
.settings .k { color: var(--vscode-descriptionForeground); margin-right: 4px; }
.settings .v { font-family: var(--vscode-editor-font-family, monospace); overflow-wrap: anywhere; }
.banner { margin: 8px 0 0; padding: 4px 8px; border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700); }

/* filter bar */
.filterbar { display: flex; flex-wrap: wrap; gap: 6px 8px; align-items: center; padding: 6px 16px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
.filterbar input[type=search], .sendbox input[type=text] { background: var(--vscode-input-background); color: var(--vscode-input-foreground);
  border: 1px solid var(--vscode-input-border, transparent); border-radius: 2px; padding: 3px 6px; font: inherit; min-width: 0; }
.filterbar input[type=search] { flex: 1 1 180px; max-width: 340px; }
.filterbar input::placeholder, .sendbox input::placeholder { color: var(--vscode-input-placeholderForeground); }
.sess input:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.chips { display: flex; flex-wrap: wrap; gap: 4px; }
.chip { font: inherit; font-size: 0.9em; display: inline-flex; align-items: center; gap: 5px; padding: 1px 8px; line-height: 18px; border-radius: 10px; cursor: pointer;
  border: 1px solid var(--vscode-panel-border, #8884); background: transparent; color: var(--vscode-descriptionForeground); }
.chip[aria-pressed=true] { color: var(--vscode-button-secondaryForeground, var(--vscode-foreground)); background: var(--vscode-button-secondaryBackground, #3a3d41); border-color: transparent; }
.chip:hover { border-color: var(--vscode-focusBorder); }
.chip:focus-visible, .linkish:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.chip .dot { width: 7px; height: 7px; border-radius: 50%; border: 1.5px solid var(--c); box-sizing: border-box; }
.chip[aria-pressed=true] .dot { background: var(--c); }
.chip .n { opacity: 0.7; font-variant-numeric: tabular-nums; }
.count { margin-left: auto; color: var(--vscode-descriptionForeground); font-size: 0.9em; white-space: nowrap; }

/* category colours (chips' dots, titles) */
.c-handshake { --c: var(--vscode-charts-blue, #3794ff); }
.c-record { --c: var(--vscode-descriptionForeground, #999); }
.c-alert { --c: var(--vscode-charts-orange, #d18616); }
.c-keys { --c: var(--vscode-charts-yellow, #cca700); }
.c-data { --c: var(--vscode-charts-purple, #b180d7); }
.c-api { --c: var(--vscode-textPreformat-foreground, #d7ba7d); }
.c-error { --c: var(--vscode-errorForeground, #f48771); }
.c-info { --c: var(--vscode-descriptionForeground, #999); }

/* layout */
.main { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(0, 1fr) clamp(300px, 32vw, 460px); }
.tl-wrap { position: relative; min-height: 0; min-width: 0; display: flex; flex-direction: column; }
.timeline { flex: 1; min-height: 0; overflow: auto; padding: 4px 0 12px; outline: none; }
.aside { min-height: 0; overflow: auto; padding: 8px 16px 16px; border-left: 1px solid var(--vscode-panel-border, #8884); }
.aside-toggle { display: none; }
@media (max-width: 880px) {
  .main { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto minmax(0, 1fr); }
  .aside { order: -1; max-height: 40vh; padding-top: 4px; border-left: 0; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
  .aside-toggle { display: flex; gap: 8px; align-items: baseline; width: 100%; font: inherit; font-weight: 600; text-align: left; padding: 4px 0;
    background: none; border: 0; color: var(--vscode-foreground); cursor: pointer; }
  .aside-toggle .muted { font-weight: 400; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
  .aside-toggle[aria-expanded=true] .chev { transform: rotate(90deg); }
  .aside-toggle:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
  .aside.collapsed .aside-body { display: none; }
}
.jump { position: absolute; right: 18px; bottom: 12px; }
.empty { padding: 24px 16px; color: var(--vscode-descriptionForeground); }
.empty.failed { color: var(--vscode-errorForeground); }
.linkish { font: inherit; background: none; border: 0; padding: 0; color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: underline; }

/* timeline rows: off-screen rows skip layout and paint, so thousands of rows stay cheap */
.ev { content-visibility: auto; contain-intrinsic-size: auto 22px; }
.ev-head { display: flex; align-items: baseline; gap: 8px; padding: 0 16px 0 6px; line-height: 22px; white-space: nowrap; cursor: pointer; border-left: 2px solid transparent; }
.ev-head:hover { background: var(--vscode-list-hoverBackground); }
.ev-head:focus { outline: 1px solid var(--vscode-list-focusOutline, var(--vscode-focusBorder)); outline-offset: -1px; }
.ev.expanded > .ev-head { background: var(--vscode-list-inactiveSelectionBackground, var(--vscode-list-hoverBackground)); border-left-color: var(--vscode-focusBorder); }
.chev { flex: none; width: 1em; text-align: center; color: var(--vscode-descriptionForeground); font-size: 0.85em; }
.ev.expanded .chev { transform: rotate(90deg); }
.time { flex: none; width: 7ch; text-align: right; font-family: var(--vscode-editor-font-family, monospace); font-size: 0.92em; color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.side { flex: none; width: 1.7em; text-align: center; font-size: 0.78em; font-weight: 700; line-height: 16px; border-radius: 3px; color: var(--vscode-editor-background, #1e1e1e); }
.side-C { background: var(--vscode-charts-blue, #3794ff); }
.side-S { background: var(--vscode-charts-orange, #d18616); }
.arrow { flex: none; width: 2ch; font-family: var(--vscode-editor-font-family, monospace); font-size: 0.92em; font-weight: 700; }
.arrow.s-C { color: var(--vscode-charts-blue, #3794ff); }
.arrow.s-S { color: var(--vscode-charts-orange, #d18616); }
.title { flex: none; font-weight: 600; }
.desc { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
.cat-data .title { color: var(--vscode-charts-purple, #b180d7); }
.cat-api .title { color: var(--vscode-textPreformat-foreground, #d7ba7d); font-family: var(--vscode-editor-font-family, monospace); font-weight: 400; }
.tone-muted .title, .tone-muted .desc { color: var(--vscode-descriptionForeground); font-weight: 400; }
.tone-good .title { color: var(--vscode-charts-green, #89d185); }
.tone-warn .title { color: var(--vscode-charts-orange, #d18616); }
.tone-error .title, .tone-error .desc { color: var(--vscode-errorForeground, #f48771); }

/* expanded detail */
.ev-detail { margin: 2px 16px 8px calc(6px + 2px + 1em + 8px + 7ch + 8px); padding: 6px 12px 8px; border-left: 2px solid var(--vscode-focusBorder);
  background: var(--vscode-textCodeBlock-background, rgba(128, 128, 128, 0.08)); white-space: normal; cursor: auto; }
@media (max-width: 700px) { .ev-detail { margin-left: 12px; } }
.ev-detail .full { margin: 0 0 6px; overflow-wrap: anywhere; }
.ev-detail h4 { margin: 10px 0 4px; font-size: 0.8em; font-weight: 600; letter-spacing: 0.06em; text-transform: uppercase; color: var(--vscode-descriptionForeground); }
.ev-detail ul { margin: 2px 0; padding-left: 20px; }
.ev-detail li { margin: 2px 0; }
/* The label column wraps past 60% of the width: a long label (a handshake phase in Chinese) must not squeeze its value to nothing. */
.kv { display: grid; grid-template-columns: fit-content(60%) minmax(5em, 1fr); gap: 2px 14px; margin: 0; }
.kv dt { color: var(--vscode-descriptionForeground); overflow-wrap: anywhere; }
.kv dd { margin: 0; overflow-wrap: anywhere; }

.tree { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.92em; line-height: 1.5; }
.tree details > :not(summary) { margin-left: 1.4em; }
.tree summary { cursor: pointer; list-style-position: outside; margin-left: 1em; }
.tree summary:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.tree .leaf { margin-left: 1em; overflow-wrap: anywhere; }
.tk { color: var(--vscode-symbolIcon-variableForeground, var(--vscode-textLink-foreground)); }
.tk::after { content: ': '; color: var(--vscode-descriptionForeground); }
.tp { color: var(--vscode-descriptionForeground); }
.tv-number, .tv-code .cp { color: var(--vscode-debugTokenExpression-number, #b5cea8); }
.tv-string { color: var(--vscode-debugTokenExpression-string, #ce9178); }
.tv-boolean, .tv-null { color: var(--vscode-debugTokenExpression-boolean, #4e94ce); }
.tv-bytes { color: var(--vscode-descriptionForeground); }
.tv-bytes .hexinline { color: var(--vscode-foreground); margin-left: 0.6em; word-break: break-all; }

.hexview { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.92em; line-height: 1.45; white-space: pre; overflow-x: auto; padding: 2px 0; }
.hx .o { color: var(--vscode-descriptionForeground); margin-right: 2ch; user-select: none; }
.hx .a { color: var(--vscode-descriptionForeground); margin-left: 2ch; }
.hexview .more { margin-top: 4px; }
.hexview .by.hl { background: var(--vscode-editor-findMatchHighlightBackground, rgba(234, 92, 0, 0.33)); outline: 1px solid var(--vscode-editor-findMatchHighlightBorder, transparent); }
.hexfield { font-family: var(--vscode-editor-font-family, monospace); color: var(--vscode-descriptionForeground); min-height: 1.4em; }
.fieldlist { list-style: none; padding-left: 0; margin: 2px 0; max-height: 16em; overflow-y: auto; font-family: var(--vscode-editor-font-family, monospace); }
.fieldlist li { display: flex; gap: 2ch; padding: 0 4px; cursor: default; }
.fieldlist li:hover, .fieldlist li:focus { background: var(--vscode-list-hoverBackground); outline: 1px solid var(--vscode-focusBorder); }
.send-problem { color: var(--vscode-errorForeground); }
.fieldlist .fp { color: var(--vscode-descriptionForeground); }

/* summary side */
.aside h2 { font-size: 0.82em; font-weight: 600; letter-spacing: 0.06em; text-transform: uppercase; color: var(--vscode-descriptionForeground); margin: 14px 0 6px; }
.aside .kv { font-size: 0.95em; }
.aside .kv dd.mono { font-size: 0.95em; }
.err-block { border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); background: var(--vscode-inputValidation-errorBackground, transparent);
  border-radius: 4px; padding: 8px 12px; margin: 8px 0 4px; }
.err-block h2 { color: var(--vscode-errorForeground); font-size: 1em; letter-spacing: 0; text-transform: none; margin: 0 0 6px; }
.err-block .msg { margin: 0 0 6px; font-weight: 600; overflow-wrap: anywhere; }
.err-block p { margin: 4px 0; overflow-wrap: anywhere; }
.err-block ul { margin: 4px 0 0; padding-left: 20px; }
.err-block li { margin: 2px 0; }
.err-block .alert-desc { font-style: italic; }
.verif-text { margin: 4px 0 0; overflow-wrap: anywhere; }
.analysis { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9em; margin: 4px 0; }
.aside .card { margin: 8px 0; }
.aside .card h3 { font-size: 1em; margin: 2px 0 6px; overflow-wrap: anywhere; }
.aside .card dl { font-size: 0.92em; }

/* send box */
.sendbox { display: flex; gap: 8px; align-items: center; padding: 6px 16px; border-top: 1px solid var(--vscode-panel-border, #8884); flex-wrap: wrap; }
.sendbox input[type=text] { flex: 1 1 240px; }
.sendbox label { display: inline-flex; gap: 4px; align-items: center; color: var(--vscode-descriptionForeground); white-space: nowrap; }
${CERTIFICATE_CARD_STYLE}
`;
