// `connect --keyschedule`: the key schedule recorded (handshake/key-schedule-capture.ts) and printed once the
// handshake ends, with which values a bad_record_mac or decrypt_error implicates (tools/key-failure.ts). Only with
// the flag is a recorder made: without it no copy of a secret is kept.
import { KeyScheduleRecorder } from '../handshake/key-schedule-capture';
import { keyFailureFromTrace } from '../tools/key-failure';
import { keyScheduleJson, keyScheduleText } from '../tools/key-schedule-text';
import type { TraceEvent } from '../trace/events';
import type { CliIO } from './io';

export interface KeyScheduleOutput {
  recorder: KeyScheduleRecorder;
  onTrace(e: TraceEvent): void;
  /** Prints the schedule so far (once), then wipes the recorder's copies. */
  print(io: CliIO, json: boolean): void;
}

export function keyScheduleOutput(): KeyScheduleOutput {
  const recorder = new KeyScheduleRecorder();
  const events: TraceEvent[] = [];
  let printed = false;
  return {
    recorder,
    onTrace: (e) => {
      if (e.kind === 'keys' || e.kind === 'handshake' || e.kind === 'alert' || e.kind === 'error' || e.kind === 'negotiated') events.push(e);
    },
    print(io, json) {
      if (printed) return;
      printed = true;
      const failure = keyFailureFromTrace(events as never);
      const k = recorder.snapshot();
      if (json) io.out(JSON.stringify({ kind: 'keySchedule', schedule: keyScheduleJson(k), ...(failure ? { failure } : {}) }) + '\n');
      else io.out(`---\nKey schedule\n${keyScheduleText(k, failure)}---\n`);
      recorder.wipe();
    },
  };
}
