// Every table of the engine's sentences in Simplified Chinese (engine/l10n/sentences.ts), for the editor.
import type { SentenceTable } from '../sentences';
import { DECODE_A_ZH_CN } from './decode-a';
import { DECODE_B_ZH_CN } from './decode-b';
import { EDITOR_ZH_CN } from './editor';
import { ERRORS_A_ZH_CN } from './errors-a';
import { ERRORS_B_ZH_CN } from './errors-b';
import { INFO_ZH_CN } from './info';
import { LINT_FINDINGS_ZH_CN } from './lint';
import { SCAN_ZH_CN } from './scan';
import { VALUES_ZH_CN } from './values';

export const SENTENCES_ZH_CN: readonly SentenceTable[] = [INFO_ZH_CN, ERRORS_A_ZH_CN, ERRORS_B_ZH_CN, SCAN_ZH_CN, LINT_FINDINGS_ZH_CN, EDITOR_ZH_CN, DECODE_A_ZH_CN, DECODE_B_ZH_CN, VALUES_ZH_CN];
