// The engine's English sentences that reach a person in the editor, read from the source with the TypeScript
// parser (as xgettext reads C): trace `info` and `ech` messages, the messages of ProtocolError, LimitError,
// PeerAlertError and TlsSessionError, the scan's weakness titles and explanations, what a lint check saw, a PEM
// block's problem and the findings about a chain file's order.
// Each becomes a template, `${expr}` replaced by `{0}`, `{1}`...; a `${c ? 'a' : 'b'}` whose branches are both
// literal is expanded into one template per branch, so a translation never has English glued into it.
// test/unit/l10n-sentences.test.ts checks that engine/l10n/zh-cn/ has every one of them.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export type Domain = 'info' | 'errors' | 'scan' | 'lint' | 'editor';

export interface Sentence {
  domain: Domain;
  template: string;
  /** file:line of the first place it is written. */
  where: string;
}

/** At most this many variants per message (2^4 literal ternaries); a longer expansion keeps its placeholders. */
const MAX_VARIANTS = 16;

type Part = { text: string } | { hole: true } | { choice: string[] };

/** The message as parts, or undefined when it is not built from literals (a variable, a call's result). */
function partsOf(e: ts.Expression): Part[] | undefined {
  if (ts.isParenthesizedExpression(e)) return partsOf(e.expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [{ text: e.text }];
  if (ts.isTemplateExpression(e)) {
    const out: Part[] = [{ text: e.head.text }];
    for (const span of e.templateSpans) {
      out.push(spanPart(span.expression));
      out.push({ text: span.literal.text });
    }
    return out;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = partsOf(e.left) ?? [{ hole: true as const }];
    const r = partsOf(e.right) ?? [{ hole: true as const }];
    return [...l, ...r];
  }
  if (ts.isConditionalExpression(e)) {
    const a = literalOf(e.whenTrue);
    const b = literalOf(e.whenFalse);
    if (a !== undefined && b !== undefined) return [{ choice: [a, b] }];
  }
  return undefined;
}

function literalOf(e: ts.Expression): string | undefined {
  if (ts.isParenthesizedExpression(e)) return literalOf(e.expression);
  return ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) ? e.text : undefined;
}

function spanPart(e: ts.Expression): Part {
  if (ts.isParenthesizedExpression(e)) return spanPart(e.expression);
  if (ts.isConditionalExpression(e)) {
    const a = literalOf(e.whenTrue);
    const b = literalOf(e.whenFalse);
    if (a !== undefined && b !== undefined) return { choice: [a, b] };
  }
  return { hole: true };
}

/** Every template the parts stand for, holes numbered left to right. */
export function templatesOf(parts: Part[]): string[] {
  const choices = parts.filter((p) => 'choice' in p).length;
  const expand = 2 ** choices <= MAX_VARIANTS;
  let variants: string[][] = [[]];
  for (const p of parts) {
    if ('text' in p) variants = variants.map((v) => [...v, p.text]);
    else if ('hole' in p || !expand) variants = variants.map((v) => [...v, '\u0000']);
    else variants = variants.flatMap((v) => p.choice.map((c) => [...v, c]));
  }
  return [...new Set(variants.map((v) => {
    let i = 0;
    return v.join('').replace(/\u0000/g, () => `{${i++}}`);
  }))].filter((s) => /[A-Za-z]/.test(s) && /\s/.test(s.replace(/\{\d+\}/g, 'x'))); // a sentence, not a lone word or code
}

/** The argument that carries the sentence, per error class the editor shows. */
/** The templates of a message: `c ? \`...\` : \`...\`` as a whole gives both branches' (and so on, nested). */
function messageTemplates(e: ts.Expression): string[] {
  if (ts.isParenthesizedExpression(e)) return messageTemplates(e.expression);
  const parts = partsOf(e);
  if (parts) return templatesOf(parts);
  if (ts.isConditionalExpression(e)) return [...messageTemplates(e.whenTrue), ...messageTemplates(e.whenFalse)];
  return [];
}

const ERROR_ARG: Record<string, number> = {
  ProtocolError: 1, LimitError: 3, TlsSessionError: 0,
  DecodeError: 1, MissingData: 1, TrailingData: 1, DerError: 1, EncodeError: 1, KeyLoadError: 1, TransportError: 4,
  ProxyUrlError: 1, IdentityError: 0, EchConfigError: 0, HpkeError: 1, KeyExchangeError: 0, DriftError: 1,
  WhatIfError: 1, ConfigRefError: 1, LintInputError: 1,
};
/** Files whose error classes build their message around their arguments (`super(...)`). */
const SENTENCE_CLASSES = /^(errors|limits|reader|der|writer|channel|url)\.ts$/;

function walk(file: string, src: ts.SourceFile, add: (d: Domain, e: ts.Expression) => void): void {
  const base = path.basename(file);
  const visit = (n: ts.Node): void => {
    if (ts.isObjectLiteralExpression(n)) {
      const prop = (name: string) => n.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name);
      const kind = prop('kind');
      const message = prop('message');
      if (kind && message && ts.isStringLiteral(kind.initializer) && (kind.initializer.text === 'info' || kind.initializer.text === 'ech')) add('info', message.initializer);
      // A lint check's finding: { field, message }.
      if (file.includes(`lint${path.sep}checks.ts`) && message && prop('field')) add('lint', message.initializer);
      // A finding about the order of a chain file, shown in the hover: { blockIndex, kind, message }.
      if (base === 'chain-file.ts' && message && prop('blockIndex')) add('editor', message.initializer);
      // Why a client's offer is refused (Serve TLS Here's sessions): { check, reason }.
      const reason = prop('reason');
      if (base === 'client-offer.ts' && reason && prop('check')) add('editor', reason.initializer);
    }
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) {
      const i = ERROR_ARG[n.expression.text];
      const arg = i === undefined ? undefined : n.arguments?.[i];
      if (arg) add('errors', arg);
    }
    // A stapled OCSP response in one line (the info event of a client that asked for it): ocspSummary()'s results.
    if (base === 'ocsp.ts' && ts.isFunctionDeclaration(n) && n.name?.text === 'ocspSummary' && n.body) {
      const visitReturns = (m: ts.Node): void => {
        if (ts.isReturnStatement(m) && m.expression) add('info', m.expression);
        ts.forEachChild(m, visitReturns);
      };
      visitReturns(n.body);
    }
    // How a chain-file finding names a block (its values), translated inside the finding: name()'s result.
    if (base === 'chain-file.ts' && ts.isFunctionDeclaration(n) && n.name?.text === 'name') {
      const ret = n.body?.statements.find(ts.isReturnStatement);
      if (ret?.expression) add('editor', ret.expression);
    }
    // A decoder's failure: reader.fail(field, detail, ...), the detail of a DecodeError.
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'fail' && n.arguments.length >= 2) add('errors', n.arguments[1]!);
    // A PEM block's problem, in the hover and the diagnostics: problem(code, message, line).
    if (base === 'blocks.ts' && ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'problem' && n.arguments[1]) add('editor', n.arguments[1]);
    // The scan's facts: fact(id, name, status, detail), `{ ..., detail }` of a version, why a probe was refused
    // (refusal()), and the names and sentences kept in constants (`const name = '...'`, `NO_LEGACY`).
    if (base === 'scan.ts') {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'fact') for (const i of [1, 3]) if (n.arguments[i]) add('scan', n.arguments[i]!);
      if (ts.isObjectLiteralExpression(n)) {
        const detail = n.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'detail');
        if (detail) add('scan', detail.initializer);
      }
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && (n.name.text === 'name' || /^[A-Z_]+$/.test(n.name.text)) && n.initializer) add('scan', n.initializer);
      // What was not tested: notTested's strings, and what is pushed onto `undetermined`.
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === 'notTested' && n.initializer && ts.isArrayLiteralExpression(n.initializer)) {
        for (const el of n.initializer.elements) {
          if (!ts.isSpreadElement(el)) add('scan', el);
          else {
            const inner = ts.isParenthesizedExpression(el.expression) ? el.expression.expression : el.expression;
            if (ts.isConditionalExpression(inner)) for (const b of [inner.whenTrue, inner.whenFalse]) if (ts.isArrayLiteralExpression(b)) b.elements.forEach((x) => add('scan', x));
          }
        }
      }
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ts.isIdentifier(n.expression.expression) && n.expression.expression.text === 'undetermined' && n.expression.name.text === 'push') n.arguments.forEach((x) => add('scan', x));
      if (ts.isFunctionDeclaration(n) && n.name?.text === 'refusal' && n.body) {
        const returns = (m: ts.Node): void => {
          if (ts.isReturnStatement(m) && m.expression) add('scan', m.expression);
          ts.forEachChild(m, returns);
        };
        returns(n.body);
      }
    }
    // Why a suite is weak (engine/registry/suites.ts), shown beside it in the scan: WEAK_* and legacy()'s last argument.
    if (base === 'suites.ts') {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && /^WEAK_/.test(n.name.text) && n.initializer) add('scan', n.initializer);
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'legacy' && n.arguments[8]) add('scan', n.arguments[8]!);
    }
    // The scan's weaknesses: add(id, severity, title, explanation).
    if (base === 'weaknesses.ts' && ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'add') {
      for (const arg of n.arguments.slice(2, 4)) add('scan', arg);
    }
    // The sentence classes themselves build a message from their arguments (LimitError, PeerAlertError).
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword && SENTENCE_CLASSES.test(base)) {
      for (const arg of n.arguments) add('errors', arg);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
}

/** engine/'s TypeScript (outside the CLI and the tables), as one text: where value phrases are looked for. */
export function engineSourceText(root = process.cwd()): string {
  return engineFiles(root).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

function engineFiles(root: string): string[] {
  const files: string[] = [];
  const list = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (!['cli', 'l10n'].includes(d.name)) list(p);
      } else if (d.name.endsWith('.ts') && !d.name.startsWith('zh-cn')) files.push(p);
    }
  };
  list(path.join(root, 'engine'));
  return files.sort();
}

/** Every sentence of engine/ (outside the CLI, whose output stays in OpenSSL's English, and the tables themselves). */
export function engineSentences(root = process.cwd()): Sentence[] {
  const out = new Map<string, Sentence>();
  for (const file of engineFiles(root)) {
    const text = fs.readFileSync(file, 'utf8');
    const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    walk(file, src, (domain, e) => {
      const line = src.getLineAndCharacterOfPosition(e.getStart(src)).line + 1;
      for (const template of messageTemplates(e)) {
        const key = `${domain}\u0000${template}`;
        if (!out.has(key)) out.set(key, { domain, template, where: `${path.relative(root, file)}:${line}` });
      }
    });
  }
  return [...out.values()];
}
