import { randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * The front door of the Neon stand-in's databases: what Neon's proxy is to its computes. Clients
 * (`pg`, `postgres`, psql) connect here with the URL from `connection_uri`; the front speaks the start
 * of the PostgreSQL protocol itself, asks for the password in cleartext, checks it against the role's
 * password on the endpoint's branch (Neon's roles are per branch, the real server's are not), and then
 * relays the session to that branch's database on the one real server.
 *
 * Each endpoint has two loopback addresses on one port: `127.10.x.y` direct, `127.11.x.y` pooled,
 * standing in for Neon's `ep-…` and `ep-…-pooler` hosts, which need DNS. Linux routes all of 127/8 to
 * the loopback interface, so no set-up is needed.
 *
 * Deviations from Neon, on purpose:
 * - No TLS: an SSLRequest is answered `N`, so URLs carry no `sslmode=require` (a client that insists on
 *   TLS fails here).
 * - The pooled address relays sessions like the direct one; there is no PgBouncer in transaction mode.
 * - While a branch is copied from this one (create, restore), the database must have no sessions: an
 *   idle session is detached from the server and reattached on its next message, with its named
 *   prepared statements prepared again; other session state (SET, temporary tables, LISTEN) is lost,
 *   as on a pooled connection. A session inside a transaction is waited for.
 */

export interface LoginRequest {
  endpointId: string;
  user: string;
  database: string;
  password: string;
}

export type LoginResult =
  | { ok: true; branchId: string; physical: string; readOnly: boolean }
  | { ok: false; code: string; message: string };

export interface FrontOptions {
  /** The real server's Unix socket. */
  upstreamPath: string;
  /** Checks a login against the Neon model; synchronous, so a password reset takes effect at once. */
  login(request: LoginRequest): LoginResult;
  /** Settles when the database exists (its copy is done). */
  whenReady(physical: string): Promise<void>;
}

export interface SessionInfo {
  endpointId: string;
  branchId: string;
  physical: string;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const MAX_STARTUP_BYTES = 10_000;
const DIRECT_OCTET = 10;
const POOLED_OCTET = 11;

export class PostgresFront {
  readonly port: number;
  private readonly options: FrontOptions;
  private readonly anchor: Server;
  private readonly listeners = new Map<string, Server[]>();
  private readonly sessions = new Set<Session>();
  private readonly frozen = new Map<string, number>();
  private readonly thawWaiters = new Map<string, Array<() => void>>();
  private readonly quiesceWaiters = new Set<() => void>();
  private nextPid = 10_000 + Math.floor(Math.random() * 50_000);

  private constructor(options: FrontOptions, anchor: Server, port: number) {
    this.options = options;
    this.anchor = anchor;
    this.port = port;
  }

  /**
   * Binds an address no endpoint uses on a free port: every endpoint then binds its own addresses on
   * that port, and no other stand-in can hold it, since theirs bind this same address first.
   */
  static async start(options: FrontOptions): Promise<PostgresFront> {
    let front: PostgresFront | undefined;
    const anchor = createServer((socket) => front?.accept(socket, undefined));
    anchor.listen(0, `127.${DIRECT_OCTET}.0.0`);
    await once(anchor, 'listening');
    const address = anchor.address();
    if (address === null || typeof address === 'string') throw new Error('the front has no TCP port');
    front = new PostgresFront(options, anchor, address.port);
    return front;
  }

  /** The direct and pooled addresses of the endpoint numbered `serial` (1 to 65535). */
  static addressesFor(serial: number): { host: string; poolerHost: string } {
    if (!Number.isInteger(serial) || serial < 1 || serial > 0xffff) {
      throw new Error(`the stand-in has no loopback address for endpoint number ${serial}`);
    }
    const tail = `${serial >> 8}.${serial & 0xff}`;
    return { host: `127.${DIRECT_OCTET}.${tail}`, poolerHost: `127.${POOLED_OCTET}.${tail}` };
  }

  /** Starts listening on the endpoint's addresses; bound by the time this returns. */
  openEndpoint(endpointId: string, hosts: string[]): Promise<void> {
    const servers = hosts.map((host) => {
      const server = createServer((socket) => this.accept(socket, endpointId));
      server.listen(this.port, host);
      return server;
    });
    this.listeners.set(endpointId, servers);
    return Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve, reject) => {
            if (server.listening) resolve();
            server.once('listening', () => resolve());
            server.once('error', reject);
          }),
      ),
    ).then(() => undefined);
  }

  /** Stops listening on the endpoint's addresses and ends its sessions, as a deleted compute does. */
  async closeEndpoint(endpointId: string): Promise<void> {
    const servers = this.listeners.get(endpointId) ?? [];
    this.listeners.delete(endpointId);
    this.endSessions((session) => session.endpointId === endpointId);
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  /** Ends matching sessions the way a restarted compute does: FATAL 57P01, then the socket closes. */
  endSessions(matches: (session: SessionInfo) => boolean): void {
    for (const session of [...this.sessions]) {
      const info = session.info();
      if (info && matches(info)) session.terminate();
    }
  }

  /**
   * From now until `thaw`, nothing new reaches `physical`: idle sessions are detached, the others when
   * they become idle, and new sessions wait. Freezes nest.
   */
  freeze(physical: string): void {
    this.frozen.set(physical, (this.frozen.get(physical) ?? 0) + 1);
    for (const session of this.sessions) session.frozenChanged();
  }

  thaw(physical: string): void {
    const count = (this.frozen.get(physical) ?? 0) - 1;
    if (count > 0) {
      this.frozen.set(physical, count);
      return;
    }
    this.frozen.delete(physical);
    for (const resolve of this.thawWaiters.get(physical) ?? []) resolve();
    this.thawWaiters.delete(physical);
    for (const session of this.sessions) session.frozenChanged();
  }

  isFrozen(physical: string): boolean {
    return this.frozen.has(physical);
  }

  /** Settles when no session holds a server connection to any of `physicals`. */
  async quiesce(physicals: string[], timeoutMs: number): Promise<void> {
    const targets = new Set(physicals);
    const holding = () => [...this.sessions].filter((session) => session.holds(targets));
    if (holding().length === 0) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (holding().length > 0) return;
        clearTimeout(timer);
        this.quiesceWaiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.quiesceWaiters.delete(check);
        reject(
          new Error(
            `${holding().length} session(s) on the source database stayed inside a transaction for ${timeoutMs} ms; ` +
              'a branch can only be copied between transactions',
          ),
        );
      }, timeoutMs);
      this.quiesceWaiters.add(check);
    });
  }

  async close(): Promise<void> {
    for (const session of [...this.sessions]) session.destroy();
    const servers = [this.anchor, ...[...this.listeners.values()].flat()];
    this.listeners.clear();
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  // --- for sessions -----------------------------------------------------------------------------

  /** @internal */
  get settings(): FrontOptions {
    return this.options;
  }

  /** @internal */
  whenThawed(physical: string): Promise<void> {
    if (!this.frozen.has(physical)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.thawWaiters.get(physical) ?? [];
      waiters.push(resolve);
      this.thawWaiters.set(physical, waiters);
    });
  }

  /** @internal */
  newPid(): number {
    this.nextPid = this.nextPid >= 0x7fff_ffff ? 10_000 : this.nextPid + 1;
    return this.nextPid;
  }

  /** @internal Called whenever a session gains or loses its server connection, or ends. */
  changed(): void {
    for (const check of [...this.quiesceWaiters]) check();
  }

  /** @internal */
  forget(session: Session): void {
    this.sessions.delete(session);
    this.changed();
  }

  /** @internal A CancelRequest names the session by the key the front gave it. */
  cancel(key: Buffer): void {
    for (const session of this.sessions) {
      const backendKey = session.backendKeyFor(key);
      if (!backendKey) continue;
      const socket = createConnection(this.options.upstreamPath);
      socket.on('error', () => socket.destroy());
      const packet = Buffer.alloc(8 + backendKey.length);
      packet.writeInt32BE(packet.length, 0);
      packet.writeInt32BE(CANCEL_REQUEST, 4);
      backendKey.copy(packet, 8);
      socket.end(packet);
      return;
    }
  }

  private accept(socket: Socket, endpointId: string | undefined): void {
    const session = new Session(this, socket, endpointId);
    this.sessions.add(session);
  }
}

type Phase = 'startup' | 'password' | 'connecting' | 'ready' | 'closed';
/** What the server's messages mean right now: the session's own start, a reattach, a replay, or relay. */
type UpstreamMode = 'startup' | 'reattach' | 'replay' | 'relay';

class Session {
  readonly endpointId: string | undefined;
  private readonly front: PostgresFront;
  private readonly client: Socket;
  private phase: Phase = 'startup';
  private input: Buffer = Buffer.alloc(0);
  private protocol = 196608;
  private params = new Map<string, string>();
  private route: { branchId: string; physical: string; readOnly: boolean } | undefined;
  private upstream: Socket | undefined;
  private upstreamInput: Buffer = Buffer.alloc(0);
  private mode: UpstreamMode = 'startup';
  private connecting = false;
  private replaysLeft = 0;
  /** Client messages not yet sent to the server. */
  private readonly held: Buffer[] = [];
  /** Queries and Syncs sent whose ReadyForQuery has not come back. */
  private outstanding = 0;
  /** Extended-protocol messages sent since the last Sync. */
  private unsynced = false;
  private status = 'I';
  private clientKey: Buffer | undefined;
  private backendKey: Buffer | undefined;
  /** Named prepared statements, to prepare again after a reattach. */
  private readonly prepared = new Map<string, Buffer>();

  constructor(front: PostgresFront, client: Socket, endpointId: string | undefined) {
    this.front = front;
    this.client = client;
    this.endpointId = endpointId;
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.fromClient(chunk));
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
  }

  info(): SessionInfo | undefined {
    if (!this.route || this.endpointId === undefined) return undefined;
    return { endpointId: this.endpointId, branchId: this.route.branchId, physical: this.route.physical };
  }

  holds(physicals: Set<string>): boolean {
    return this.upstream !== undefined && this.route !== undefined && physicals.has(this.route.physical);
  }

  backendKeyFor(key: Buffer): Buffer | undefined {
    const own = this.clientKey;
    if (!own || own.length !== key.length || !timingSafeEqual(own, key)) return undefined;
    return this.backendKey;
  }

  frozenChanged(): void {
    if (this.phase !== 'ready' || !this.route) return;
    if (this.front.isFrozen(this.route.physical)) {
      if (this.idle()) this.detach();
    } else {
      this.pump();
    }
  }

  terminate(): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'ready' && this.mode === 'relay') {
      this.client.write(
        errorResponse('57P01', 'terminating connection due to administrator command', 'FATAL'),
      );
    }
    this.client.end();
    this.dropUpstream();
    this.finish();
  }

  destroy(): void {
    if (this.phase === 'closed') return;
    this.client.destroy();
    this.dropUpstream();
    this.finish();
  }

  // --- the client side --------------------------------------------------------------------------

  private fromClient(chunk: Buffer): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    // A method, not a comparison, so that TypeScript does not narrow the phase across the calls below.
    while (!this.isClosed()) {
      if (this.phase === 'startup') {
        if (!this.takeStartupPacket()) return;
      } else {
        const message = takeMessage(this.input);
        if (!message) return;
        this.input = this.input.subarray(message.length);
        if (this.phase === 'password') this.checkPassword(message);
        else {
          this.held.push(message);
          this.pump();
        }
      }
    }
  }

  /** SSLRequest, GSSENCRequest, CancelRequest or StartupMessage; false when more bytes are needed. */
  private takeStartupPacket(): boolean {
    if (this.input.length < 8) return false;
    const length = this.input.readInt32BE(0);
    if (length < 8 || length > MAX_STARTUP_BYTES) {
      this.destroy();
      return false;
    }
    if (this.input.length < length) return false;
    const packet = this.input.subarray(0, length);
    this.input = this.input.subarray(length);
    const code = packet.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      // Locally there is no TLS (see the top of this file): the client goes on in plain text.
      this.client.write('N');
      return true;
    }
    if (code === CANCEL_REQUEST) {
      this.front.cancel(Buffer.from(packet.subarray(8)));
      this.destroy();
      return false;
    }
    if (code >> 16 !== 3) {
      this.fail('0A000', `unsupported frontend protocol ${code >> 16}.${code & 0xffff}`);
      return false;
    }
    this.protocol = code;
    const fields = packet.subarray(8).toString('utf8').split('\0');
    for (let index = 0; index + 1 < fields.length; index += 2) {
      const key = fields[index];
      if (key === undefined || key === '') break;
      this.params.set(key, fields[index + 1] ?? '');
    }
    if (this.endpointId === undefined) {
      this.fail('08004', 'no Neon endpoint listens on this address');
      return false;
    }
    if (this.params.has('replication')) {
      this.fail('08004', 'the Neon stand-in does not support replication connections');
      return false;
    }
    this.phase = 'password';
    this.client.write(authenticationRequest(3));
    return true;
  }

  private checkPassword(message: Buffer): void {
    if (message[0] !== 0x70 /* 'p' */) {
      this.fail('08P01', 'expected a password message');
      return;
    }
    const password = message.subarray(5).toString('utf8').split('\0')[0] ?? '';
    const user = this.params.get('user') ?? '';
    const result = this.front.settings.login({
      endpointId: this.endpointId ?? '',
      user,
      database: this.params.get('database') || user,
      password,
    });
    if (!result.ok) {
      this.fail(result.code, result.message);
      return;
    }
    this.route = { branchId: result.branchId, physical: result.physical, readOnly: result.readOnly };
    this.phase = 'connecting';
    void this.connect('startup');
  }

  /** Sends held client messages on, unless the database is frozen and the session is between them. */
  private pump(): void {
    if (this.phase !== 'ready' || !this.route) return;
    while (this.held.length > 0) {
      if (!this.upstream) {
        if (!this.connecting && !this.front.isFrozen(this.route.physical)) void this.connect('reattach');
        return;
      }
      if (this.mode !== 'relay') return;
      if (this.front.isFrozen(this.route.physical) && this.idle()) {
        this.detach();
        return;
      }
      const message = this.held.shift();
      if (!message) return;
      this.note(message);
      this.upstream.write(message);
      if (message[0] === 0x58 /* 'X' Terminate */) {
        this.upstream.end();
        this.client.end();
        this.finish();
        return;
      }
    }
  }

  /** Keeps track of whether the server is between messages, and of named prepared statements. */
  private note(message: Buffer): void {
    const type = String.fromCharCode(message[0] ?? 0);
    switch (type) {
      case 'Q':
      case 'F':
        this.outstanding += 1;
        break;
      case 'S':
        this.outstanding += 1;
        this.unsynced = false;
        break;
      case 'P': {
        const name = cString(message, 5);
        if (name !== '') this.prepared.set(name, message);
        this.unsynced = true;
        break;
      }
      case 'C': {
        if (message[5] === 0x53 /* 'S' */) this.prepared.delete(cString(message, 6));
        this.unsynced = true;
        break;
      }
      case 'B':
      case 'E':
      case 'D':
      case 'H':
        this.unsynced = true;
        break;
      default:
        // CopyData, CopyDone and CopyFail belong to a Query already counted.
        break;
    }
  }

  private idle(): boolean {
    return (
      this.upstream !== undefined &&
      this.mode === 'relay' &&
      this.outstanding === 0 &&
      !this.unsynced &&
      this.status === 'I'
    );
  }

  private fail(code: string, message: string): void {
    this.client.end(errorResponse(code, message, 'FATAL'));
    this.dropUpstream();
    this.finish();
  }

  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private finish(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.held.length = 0;
    this.front.forget(this);
  }

  // --- the server side --------------------------------------------------------------------------

  private async connect(mode: 'startup' | 'reattach'): Promise<void> {
    const route = this.route;
    if (!route || this.connecting) return;
    this.connecting = true;
    try {
      await this.front.settings.whenReady(route.physical);
      while (this.front.isFrozen(route.physical)) await this.front.whenThawed(route.physical);
    } catch (error) {
      this.connecting = false;
      this.fail('3D000', error instanceof Error ? error.message : String(error));
      return;
    }
    if (this.phase === 'closed') {
      this.connecting = false;
      return;
    }
    const socket = createConnection(this.front.settings.upstreamPath);
    socket.setNoDelay(true);
    this.upstream = socket;
    this.upstreamInput = Buffer.alloc(0);
    this.mode = mode;
    this.connecting = false;
    this.front.changed();
    socket.on('data', (chunk: Buffer) => {
      if (this.upstream === socket) this.fromServer(chunk);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.upstream !== socket) return;
      // The server ended the session (terminated, database dropped): so does the client's connection.
      this.upstream = undefined;
      this.client.end();
      this.finish();
    });
    socket.write(this.startupMessage(route));
  }

  private startupMessage(route: { physical: string; readOnly: boolean }): Buffer {
    const params = new Map(this.params);
    params.set('database', route.physical);
    // Neon's proxy reads `endpoint=<id>` from options for clients without SNI; the real server would
    // take it for a command-line switch.
    const options = (params.get('options') ?? '')
      .split(/\s+/)
      .filter((token) => token !== '' && !/^(--)?endpoint=/.test(token));
    if (route.readOnly) options.push('-c', 'default_transaction_read_only=on');
    if (options.length > 0) params.set('options', options.join(' '));
    else params.delete('options');
    const body = [...params].flat().join('\0');
    const text = Buffer.from(`${body}\0\0`, 'utf8');
    const packet = Buffer.alloc(8 + text.length);
    packet.writeInt32BE(packet.length, 0);
    packet.writeInt32BE(this.protocol, 4);
    text.copy(packet, 8);
    return packet;
  }

  private fromServer(chunk: Buffer): void {
    this.upstreamInput = this.upstreamInput.length === 0 ? chunk : Buffer.concat([this.upstreamInput, chunk]);
    for (;;) {
      const message = takeMessage(this.upstreamInput);
      if (!message) return;
      this.upstreamInput = this.upstreamInput.subarray(message.length);
      this.fromServerMessage(message);
      if (this.phase === 'closed') return;
    }
  }

  private fromServerMessage(message: Buffer): void {
    const type = String.fromCharCode(message[0] ?? 0);
    switch (this.mode) {
      case 'startup':
        if (type === 'K') {
          this.client.write(this.clientKeyData(message));
          return;
        }
        this.client.write(message);
        if (type === 'Z') {
          this.status = String.fromCharCode(message[5] ?? 0x49);
          this.mode = 'relay';
          this.phase = 'ready';
          this.afterReadyForQuery();
        }
        return;
      case 'reattach':
        if (type === 'K') this.backendKey = Buffer.from(message.subarray(5));
        else if (type === 'E') {
          // The database is gone or refuses us: the client learns why, then the session ends.
          this.client.write(message);
          this.client.end();
          this.dropUpstream();
          this.finish();
        } else if (type === 'Z') this.replayPrepared();
        return;
      case 'replay':
        if (type === 'Z') {
          this.replaysLeft -= 1;
          if (this.replaysLeft <= 0) {
            this.mode = 'relay';
            this.pump();
          }
        }
        return;
      case 'relay':
        this.client.write(message);
        if (type === 'Z') {
          this.outstanding = Math.max(0, this.outstanding - 1);
          this.status = String.fromCharCode(message[5] ?? 0x49);
          this.afterReadyForQuery();
        }
        return;
    }
  }

  private afterReadyForQuery(): void {
    if (this.route && this.front.isFrozen(this.route.physical) && this.idle()) this.detach();
    else this.pump();
  }

  /** The client keeps one key for its whole session; the server's changes with every reattach. */
  private clientKeyData(message: Buffer): Buffer {
    this.backendKey = Buffer.from(message.subarray(5));
    if (!this.clientKey) {
      this.clientKey = Buffer.alloc(this.backendKey.length);
      this.clientKey.writeInt32BE(this.front.newPid(), 0);
      randomBytes(this.backendKey.length - 4).copy(this.clientKey, 4);
    }
    const packet = Buffer.alloc(5 + this.clientKey.length);
    packet.write('K', 0, 'latin1');
    packet.writeInt32BE(4 + this.clientKey.length, 1);
    this.clientKey.copy(packet, 5);
    return packet;
  }

  private replayPrepared(): void {
    const upstream = this.upstream;
    if (!upstream) return;
    this.outstanding = 0;
    this.unsynced = false;
    this.status = 'I';
    if (this.prepared.size === 0) {
      this.mode = 'relay';
      this.pump();
      return;
    }
    this.mode = 'replay';
    this.replaysLeft = this.prepared.size;
    for (const parse of this.prepared.values()) upstream.write(Buffer.concat([parse, SYNC]));
  }

  /** Ends the server connection of an idle session; the client keeps its connection and notices nothing. */
  private detach(): void {
    const upstream = this.upstream;
    if (!upstream) return;
    this.upstream = undefined;
    upstream.end(TERMINATE);
    this.front.changed();
  }

  private dropUpstream(): void {
    const upstream = this.upstream;
    this.upstream = undefined;
    upstream?.destroy();
  }
}

const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/** One whole message (type byte, length, body) from the start of `input`, or undefined. */
function takeMessage(input: Buffer): Buffer | undefined {
  if (input.length < 5) return undefined;
  const length = input.readInt32BE(1);
  if (input.length < 1 + length) return undefined;
  return input.subarray(0, 1 + length);
}

function cString(buffer: Buffer, offset: number): string {
  const end = buffer.indexOf(0, offset);
  return buffer.subarray(offset, end === -1 ? buffer.length : end).toString('utf8');
}

function authenticationRequest(code: number): Buffer {
  const packet = Buffer.alloc(9);
  packet.write('R', 0, 'latin1');
  packet.writeInt32BE(8, 1);
  packet.writeInt32BE(code, 5);
  return packet;
}

/** An ErrorResponse as the server words one, so clients show `code` and `message` as usual. */
export function errorResponse(code: string, message: string, severity: 'ERROR' | 'FATAL'): Buffer {
  const fields = Buffer.from(`S${severity}\0V${severity}\0C${code}\0M${message}\0\0`, 'utf8');
  const packet = Buffer.alloc(5 + fields.length);
  packet.write('E', 0, 'latin1');
  packet.writeInt32BE(4 + fields.length, 1);
  fields.copy(packet, 5);
  return packet;
}
