/**
 * A progress line on standard error: done / total, rate and ETA. Redrawn in
 * place on a terminal (at most 10 times a second); elsewhere only the final
 * line is written, so logs stay short.
 */
export interface Progress {
  /** `share` in [0, 1] of the whole work, when known (bytes read / file size). */
  update(done: number, share?: number): void;
  finish(message?: string): void;
}

export function progressBar(
  label: string,
  unit: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const start = performance.now();
  let last = 0;
  let done = 0;
  let share: number | undefined;
  const tty = stream.isTTY === true;
  const line = () => {
    const s = (performance.now() - start) / 1000;
    const rate = s > 0 ? done / s : 0;
    const bar =
      share === undefined
        ? ""
        : `[${"#".repeat(Math.round(share * 24)).padEnd(24, ".")}] ${(share * 100).toFixed(0).padStart(3)} % `;
    const eta = share && share > 0 && share < 1 ? ` — reste ~${Math.ceil((s / share) * (1 - share))} s` : "";
    return `${label} ${bar}${fmt(done)} ${unit} — ${fmt(Math.round(rate))} ${unit}/s${eta}`;
  };
  return {
    update(d, sh) {
      done = d;
      if (sh !== undefined) share = Math.min(1, Math.max(0, sh));
      const now = performance.now();
      if (!tty || now - last < 100) return;
      last = now;
      stream.write(`\r${line()}\u001b[K`);
    },
    finish(message) {
      stream.write(`${tty ? "\r" : ""}${line()}${message ? ` ${message}` : ""}${tty ? "\u001b[K" : ""}\n`);
    },
  };
}

function fmt(n: number): string {
  return n.toLocaleString("fr-FR").replace(/\u202f|\u00a0/g, " ");
}
