import { describe, expect, it } from 'vitest';
import { FrameReader, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PING, OPCODE_TEXT, WebSocketProtocolError, clientControlFrame } from '../../src/cluster/websocket-frames.js';

/** A server frame (never masked), as RFC 6455 section 5.2 lays it out. */
function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  if (payload.length < 126) return Buffer.concat([Buffer.from([first, payload.length]), payload]);
  if (payload.length < 65536) {
    const head = Buffer.from([first, 126, 0, 0]);
    head.writeUInt16BE(payload.length, 2);
    return Buffer.concat([head, payload]);
  }
  const head = Buffer.alloc(10);
  head[0] = first;
  head[1] = 127;
  head.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([head, payload]);
}

function reader(max = 1 << 20) {
  const messages: Array<[number, string]> = [];
  const controls: Array<[number, string]> = [];
  const r = new FrameReader(max, (op, p) => messages.push([op, p.toString('latin1')]), (op, p) => controls.push([op, p.toString('latin1')]));
  return { r, messages, controls };
}

describe('FrameReader', () => {
  it('reads messages of every length encoding, fed one byte at a time', () => {
    const { r, messages } = reader();
    const long = Buffer.alloc(70_000, 'b');
    const bytes = Buffer.concat([frame(OPCODE_BINARY, Buffer.from('\x01hello')), frame(OPCODE_BINARY, Buffer.alloc(300, 'a')), frame(OPCODE_BINARY, long), frame(OPCODE_BINARY, Buffer.alloc(0))]);
    for (let i = 0; i < bytes.length; i++) r.feed(bytes.subarray(i, i + 1));
    expect(messages.map(([op, p]) => [op, p.length, p.slice(0, 6)])).toEqual([
      [OPCODE_BINARY, 6, '\x01hello'],
      [OPCODE_BINARY, 300, 'aaaaaa'],
      [OPCODE_BINARY, 70_000, 'bbbbbb'],
      [OPCODE_BINARY, 0, ''],
    ]);
  });

  it('joins fragments, with a ping between them, and hands on pings and the close', () => {
    const { r, messages, controls } = reader();
    r.feed(Buffer.concat([frame(OPCODE_TEXT, Buffer.from('\x01par'), false), frame(OPCODE_PING, Buffer.from('p')), frame(0, Buffer.from('t one'), true), frame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8]))]));
    expect(messages).toEqual([[OPCODE_TEXT, '\x01part one']]);
    expect(controls).toEqual([
      [OPCODE_PING, 'p'],
      [OPCODE_CLOSE, '\x03\xe8'],
    ]);
  });

  it('fails what RFC 6455 forbids: a masked server frame, RSV bits, a stray continuation, a long control frame, an unknown opcode', () => {
    const cases: Array<[Buffer, string]> = [
      [Buffer.from([0x82, 0x81, 1, 2, 3, 4, 5]), 'Invalid WebSocket frame: the server masked a frame'],
      [Buffer.from([0xc2, 0x00]), 'Invalid WebSocket frame: RSV bits set without an extension'],
      [frame(0, Buffer.from('x')), 'Invalid WebSocket frame: a continuation frame with no message to continue'],
      [frame(OPCODE_PING, Buffer.alloc(126)), 'Invalid WebSocket frame: a control frame longer than 125 bytes'],
      [frame(0x3, Buffer.alloc(1)), 'Invalid WebSocket frame: invalid opcode 3'],
      [Buffer.concat([frame(OPCODE_BINARY, Buffer.from('a'), false), frame(OPCODE_BINARY, Buffer.from('b'))]), 'Invalid WebSocket frame: a new message inside a fragmented one'],
    ];
    for (const [bytes, message] of cases) {
      const { r } = reader();
      expect(() => r.feed(bytes)).toThrow(new WebSocketProtocolError(message));
    }
  });

  it('refuses a message longer than its bound as soon as the header announces it', () => {
    const { r, messages } = reader(1000);
    const header = frame(OPCODE_BINARY, Buffer.alloc(1001)).subarray(0, 4);
    expect(() => r.feed(header)).toThrow('a WebSocket message larger than 1000 bytes');
    const fragments = reader(1000);
    fragments.r.feed(frame(OPCODE_BINARY, Buffer.alloc(600), false));
    expect(() => fragments.r.feed(frame(0, Buffer.alloc(401)))).toThrow('a WebSocket message larger than 1000 bytes');
    expect(messages).toEqual([]);
  });
});

describe('clientControlFrame', () => {
  it('masks the payload with the key it carries', () => {
    const f = clientControlFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8]));
    expect(f.length).toBe(8);
    expect([f[0], f[1]]).toEqual([0x88, 0x82]);
    const key = f.subarray(2, 6);
    expect([f[6] ^ key[0], f[7] ^ key[1]]).toEqual([0x03, 0xe8]);
    expect(() => clientControlFrame(OPCODE_PING, Buffer.alloc(126))).toThrow(RangeError);
  });
});
