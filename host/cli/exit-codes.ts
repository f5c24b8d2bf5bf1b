// Exit codes of every `anc` command. Scripts and factory stations rely on these numbers:
// append, never renumber. Listed in docs/bundle-format.md ("Command line").
export const ExitCode = {
  /** Success. */
  ok: 0,
  /** Bad command line: unknown command or option, missing or malformed argument. */
  usage: 1,
  /** Invalid input or verification failed: corrupt, tampered, unsigned, wrong-key, wrong-hardware or downgrade bundle; bad key or artifact file. */
  invalid: 2,
  /** Device or transport error: port missing or busy, no answer, protocol mismatch, device refused (part B). */
  device: 3,
  /** A file could not be read or written: missing, permission denied, already exists. */
  file: 4,
  /** A bug in anc: report it with the command line that caused it. */
  internal: 70,
} as const;

export type ExitCodeName = keyof typeof ExitCode;
export type ExitCodeValue = (typeof ExitCode)[ExitCodeName];
