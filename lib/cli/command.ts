/** The shared shape of an operator's command (backfill, replay): usage errors, progress lines, exit codes. */
export interface Command {
  /** Prints the problem and the usage, exits 2. */
  fail(message: string): never;
  /** One progress line: rewritten in place on a terminal, one line each otherwise. */
  progress(line: string, last?: boolean): void;
  /** Runs the command; an error exits 1 with its message. */
  run(main: () => Promise<void>): void;
}

export function command(name: string, usage: string): Command {
  return {
    fail(message) {
      console.error(`${message}\n\n${usage}`);
      process.exit(2);
    },
    progress(line, last = false) {
      if (process.stderr.isTTY) process.stderr.write(`\r${line}${last ? '\n' : ''}`);
      else console.error(line);
    },
    run(main) {
      main().catch((error: Error) => {
        console.error(`${name} failed: ${error.message}`);
        process.exit(1);
      });
    },
  };
}
