import { StringDecoder } from 'node:string_decoder';

/** Longest line passed on; the rest of a longer line is dropped up to its newline. */
export const LINE_LIMIT_BYTES = 64 * 1024;
/** Most output kept for the error of a failed migration (a Lambda answer is at most 6 MB). */
export const TAIL_LIMIT_BYTES = 8 * 1024;

const CUT_MARK = ' … [line cut at 64 KiB]';
const CUT_START = '… ';
const NEWLINE = 0x0a;

/**
 * One stream's bytes as lines, each at most LINE_LIMIT_BYTES. A line is cut as soon as it reaches
 * the limit, and only the kept bytes are held: readline holds a whole line as one string, so a
 * command printing ~700 MB without a newline made it throw `RangeError: Invalid string length`.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private cut = false;

  constructor(
    private readonly emit: (line: string) => void,
    private readonly secrets: readonly string[],
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      this.take(chunk.subarray(start, newline === -1 ? chunk.length : newline));
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /** The stream ended: a last line without a newline is still a line. */
  end(): void {
    if (this.size > 0) this.endLine();
    this.cut = false;
  }

  private take(bytes: Buffer): void {
    if (this.cut || bytes.length === 0) return;
    const room = LINE_LIMIT_BYTES - this.size;
    if (bytes.length <= room) {
      this.parts.push(bytes);
      this.size += bytes.length;
      return;
    }
    this.parts.push(bytes.subarray(0, room));
    const kept = new StringDecoder('utf8').write(Buffer.concat(this.parts));
    this.parts = [];
    this.size = 0;
    this.cut = true;
    this.emit(`${withoutSecretStart(kept, this.secrets)}${CUT_MARK}`);
  }

  private endLine(): void {
    if (!this.cut) this.emit(Buffer.concat(this.parts, this.size).toString('utf8').replace(/\r$/, ''));
    this.parts = [];
    this.size = 0;
    this.cut = false;
  }
}

/**
 * The last lines of output, at most TAIL_LIMIT_BYTES joined by newlines: whole lines are dropped
 * from the front, and the first line kept may lose its start.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private readonly sizes: number[] = [];
  private bytes = 0;

  constructor(private readonly secrets: readonly string[]) {}

  add(line: string): void {
    const size = Buffer.byteLength(line) + 1;
    this.lines.push(line);
    this.sizes.push(size);
    this.bytes += size;
    // Drop the first line while the others alone fill the budget.
    while (this.lines.length > 1 && this.bytes - (this.sizes[0] ?? 0) >= TAIL_LIMIT_BYTES) {
      this.bytes -= this.sizes.shift() ?? 0;
      this.lines.shift();
    }
  }

  get(): string[] {
    const lines = [...this.lines];
    const over = this.bytes - 1 - TAIL_LIMIT_BYTES;
    const first = lines[0];
    if (over <= 0 || first === undefined) return lines;
    const bytes = Buffer.from(first);
    let start = over + Buffer.byteLength(CUT_START);
    // Start on a character, not inside one.
    while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1;
    lines[0] = `${CUT_START}${withoutSecretEnd(bytes.subarray(start).toString('utf8'), this.secrets)}`;
    return lines;
  }
}

/**
 * A log masks a secret only when it sees it whole. Where a line is cut, the part kept could end
 * with the start of one (or, at the start of the tail, begin with its end): that part is left out.
 */
function withoutSecretStart(text: string, secrets: readonly string[]): string {
  let drop = 0;
  for (const secret of secrets) {
    for (let length = Math.min(secret.length - 1, text.length); length > drop; length -= 1) {
      if (text.endsWith(secret.slice(0, length))) {
        drop = length;
        break;
      }
    }
  }
  return text.slice(0, text.length - drop);
}

function withoutSecretEnd(text: string, secrets: readonly string[]): string {
  let drop = 0;
  for (const secret of secrets) {
    for (let length = Math.min(secret.length - 1, text.length); length > drop; length -= 1) {
      if (text.startsWith(secret.slice(secret.length - length))) {
        drop = length;
        break;
      }
    }
  }
  return text.slice(drop);
}
