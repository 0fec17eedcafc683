/**
 * The client side of RFC 6455 that an exec session needs: reading the server's frames (unmasked,
 * possibly fragmented, with pings and a close) and writing the client's masked control frames.
 * Source: RFC 6455 section 5 (framing) and 5.5 (control frames).
 */
import { randomFillSync } from 'node:crypto';

export const OPCODE_CONTINUATION = 0x0;
export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

/** A frame or message the protocol forbids (RFC 6455 section 7.1.7: the client fails the connection). */
export class WebSocketProtocolError extends Error {}

/** A message longer than the reader's bound (its header announced it, or its fragments added up to it). */
export class WebSocketMessageTooLarge extends WebSocketProtocolError {}

interface FrameHeader {
  fin: boolean;
  opcode: number;
  length: number;
  headerLength: number;
}

/** The header at the start of `bytes`, or undefined when more bytes are needed. Throws WebSocketProtocolError. */
function parseHeader(bytes: Buffer): FrameHeader | undefined {
  if (bytes.length < 2) return undefined;
  const fin = (bytes[0] & 0x80) !== 0;
  if ((bytes[0] & 0x70) !== 0) throw new WebSocketProtocolError('Invalid WebSocket frame: RSV bits set without an extension');
  const opcode = bytes[0] & 0x0f;
  if ((bytes[1] & 0x80) !== 0) throw new WebSocketProtocolError('Invalid WebSocket frame: the server masked a frame');
  let length = bytes[1] & 0x7f;
  let headerLength = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = bytes.readUInt16BE(2);
    headerLength = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    const big = bytes.readBigUInt64BE(2);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new WebSocketProtocolError('Invalid WebSocket frame: payload length too large');
    length = Number(big);
    headerLength = 10;
  }
  if (opcode >= 0x8) {
    if (!fin) throw new WebSocketProtocolError('Invalid WebSocket frame: a fragmented control frame');
    if (length > 125) throw new WebSocketProtocolError('Invalid WebSocket frame: a control frame longer than 125 bytes');
    if (opcode > OPCODE_PONG) throw new WebSocketProtocolError(`Invalid WebSocket frame: invalid opcode ${opcode}`);
    // A close body starts with a 2-byte status code (RFC 6455 section 5.5.1).
    if (opcode === OPCODE_CLOSE && length === 1) throw new WebSocketProtocolError('Invalid WebSocket frame: invalid payload length 1');
  } else if (opcode > OPCODE_BINARY) throw new WebSocketProtocolError(`Invalid WebSocket frame: invalid opcode ${opcode}`);
  return { fin, opcode, length, headerLength };
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads the server's byte stream as WebSocket messages. feed() takes each chunk as it arrives;
 * `onMessage(opcode, payload)` hears every complete data message (fragments joined; opcode text or
 * binary), `onControl(opcode, payload)` every ping, pong and close. Holds at most one message of
 * at most maxMessageBytes (bytes), so a peer cannot make it buffer without bound. feed() throws
 * WebSocketProtocolError for a frame RFC 6455 forbids or a message larger than maxMessageBytes.
 */
export class FrameReader {
  private head: Buffer = EMPTY;
  private frame: FrameHeader | undefined;
  private remaining = 0;
  private framePieces: Buffer[] = [];
  private messageOpcode: number | undefined;
  private messagePieces: Buffer[] = [];
  private messageLength = 0;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly onMessage: (opcode: number, payload: Buffer) => void,
    private readonly onControl: (opcode: number, payload: Buffer) => void,
  ) {}

  feed(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.frame) {
        const had = this.head.length;
        const taken = chunk.subarray(offset, offset + 14 - had);
        const bytes = had > 0 ? Buffer.concat([this.head, taken]) : taken;
        const header = parseHeader(bytes);
        if (!header) {
          this.head = Buffer.from(bytes);
          offset += taken.length;
          continue;
        }
        offset += header.headerLength - had;
        this.head = EMPTY;
        this.startFrame(header);
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      const piece = chunk.subarray(offset, offset + this.remaining);
      this.framePieces.push(piece);
      this.remaining -= piece.length;
      offset += piece.length;
      if (this.remaining === 0) this.endFrame();
    }
  }

  private startFrame(header: FrameHeader): void {
    if (header.opcode < 0x8) {
      if (header.opcode === OPCODE_CONTINUATION && this.messageOpcode === undefined) throw new WebSocketProtocolError('Invalid WebSocket frame: a continuation frame with no message to continue');
      if (header.opcode !== OPCODE_CONTINUATION && this.messageOpcode !== undefined) throw new WebSocketProtocolError('Invalid WebSocket frame: a new message inside a fragmented one');
      if (this.messageLength + header.length > this.maxMessageBytes) {
        throw new WebSocketMessageTooLarge(`a WebSocket message larger than ${this.maxMessageBytes} bytes`);
      }
      if (header.opcode !== OPCODE_CONTINUATION) this.messageOpcode = header.opcode;
    }
    this.frame = header;
    this.remaining = header.length;
    this.framePieces = [];
  }

  private endFrame(): void {
    const frame = this.frame!;
    const payload = this.framePieces.length === 1 ? this.framePieces[0] : Buffer.concat(this.framePieces);
    this.frame = undefined;
    this.framePieces = [];
    if (frame.opcode >= 0x8) {
      this.onControl(frame.opcode, payload);
      return;
    }
    this.messagePieces.push(payload);
    this.messageLength += payload.length;
    if (!frame.fin) return;
    const opcode = this.messageOpcode!;
    const message = this.messagePieces.length === 1 ? this.messagePieces[0] : Buffer.concat(this.messagePieces);
    this.messageOpcode = undefined;
    this.messagePieces = [];
    this.messageLength = 0;
    this.onMessage(opcode, message);
  }
}

/**
 * One client frame (FIN set, masked with a fresh random key as RFC 6455 section 5.3 requires of
 * clients) of a control opcode with a payload of at most 125 bytes.
 */
export function clientControlFrame(opcode: number, payload: Buffer = EMPTY): Buffer {
  if (payload.length > 125) throw new RangeError('a control frame payload is at most 125 bytes');
  const frame = Buffer.allocUnsafe(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  randomFillSync(frame, 2, 4);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ frame[2 + (i & 3)];
  return frame;
}
