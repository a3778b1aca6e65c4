// Hex typed by a person into the session panel's send box: "16 03 01", "16:03:01", "0x16 0x03", over lines.
// Shared by the webview (to say what is wrong before sending, in its language) and the host (which decodes what it
// sends; it only sees input the webview already accepted, so its table is empty and the words stay English).
import { t } from './l10n';

export type HexInput = { bytes: Uint8Array } | { error: string };

export function parseHexInput(text: string): HexInput {
  const tokens = text.trim().split(/[\s:,]+/).filter(Boolean);
  let digits = '';
  for (const tok of tokens) {
    const d = tok.replace(/^0x/i, '');
    if (!/^[0-9a-f]*$/i.test(d)) return { error: t('"{0}" is not hex: use 0-9 and a-f (spaces, colons and 0x are allowed)', tok.slice(0, 20)) };
    if (tokens.length > 1 && d.length % 2) return { error: t('"{0}" has an odd number of hex digits: write each byte as two digits', tok) };
    digits += d;
  }
  if (!digits) return { error: t('nothing to send: type bytes as hex, e.g. 47 45 54 0d 0a') };
  if (digits.length % 2) return { error: t('{0} hex digits is an odd number: a digit is missing', digits.length) };
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return { bytes };
}
