// One verification finding: OpenSSL's X509_V_ERR code and text, plus what exactly was found, the rule and a fix.
import { verifyError } from '../../registry/x509-verify-errors';

export interface Finding {
  code: number;
  /** X509_V_ERR name without prefix. */
  name: string;
  /** OpenSSL's text. */
  text: string;
  meaning: string;
  /** What would fix it, for this certificate (generic fix text when nothing more specific is known). */
  fix: string;
  /** What exactly was found. */
  detail: string;
  /** The rule, e.g. 'RFC 5280 6.1.3 (a)(2)'. */
  rule: string;
  depth: number;
  /** Internal ordering: OpenSSL phase and position. */
  order: number;
}

export function finding(code: number, depth: number, detail: string, rule: string, order: number, fix?: string): Finding {
  const e = verifyError(code);
  return { code, name: e.name, text: e.text, meaning: e.meaning, fix: fix ?? e.fix, detail, rule, depth, order };
}
