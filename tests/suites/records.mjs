// Stored records as the package writes them, for tests that write or change
// one. Format 3: `{"v":3,"baseUrl":…,"scope":…,"fetchedAt":…,"stale":…,
// "hash":…,"warnings":[…],"sum":"<16 hex digits>","body":<body>}`, where `sum`
// is XXH64 of the text before `,"sum"` seeded with XXH64 of the body. The
// XXH64 here is written apart from the package's (BigInt arithmetic): the
// storage suite checks that every record the package writes is the one
// `writeRecord` makes of the same parts.

const MASK = (1n << 64n) - 1n;
const P1 = 0x9E3779B185EBCA87n;
const P2 = 0xC2B2AE3D27D4EB4Fn;
const P3 = 0x165667B19E3779F9n;
const P4 = 0x85EBCA77C2B2AE63n;
const P5 = 0x27D4EB2F165667C5n;

const rotl = (x, r) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & MASK;
const mul = (a, b) => (a * b) & MASK;
const add = (a, b) => (a + b) & MASK;
const round = (acc, input) => mul(rotl(add(acc, mul(input, P2)), 31), P1);

/** XXH64 of `bytes` (a Uint8Array) with `seed` (a BigInt). */
export function xxh64(bytes, seed = 0n) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  let at = 0;
  let h;
  if (len >= 32) {
    const lanes = [add(add(seed, P1), P2), add(seed, P2), seed, (seed - P1) & MASK];
    for (; at + 32 <= len; at += 32) {
      for (let k = 0; k < 4; k++) lanes[k] = round(lanes[k], view.getBigUint64(at + k * 8, true));
    }
    h = add(add(rotl(lanes[0], 1), rotl(lanes[1], 7)), add(rotl(lanes[2], 12), rotl(lanes[3], 18)));
    for (const lane of lanes) h = add(mul(h ^ round(0n, lane), P1), P4);
  } else {
    h = add(seed, P5);
  }
  h = add(h, BigInt(len));
  for (; at + 8 <= len; at += 8) h = add(mul(rotl(h ^ round(0n, view.getBigUint64(at, true)), 27), P1), P4);
  if (at + 4 <= len) {
    h = add(mul(rotl(h ^ mul(BigInt(view.getUint32(at, true)), P1), 23), P2), P3);
    at += 4;
  }
  for (; at < len; at++) h = mul(rotl(h ^ mul(BigInt(bytes[at]), P5), 11), P1);
  h ^= h >> 33n;
  h = mul(h, P2);
  h ^= h >> 29n;
  h = mul(h, P3);
  return h ^ (h >> 32n);
}

const utf8 = (text) => new TextEncoder().encode(text);

/** JSON with every non-ASCII character `\u`-escaped, as the head is written. */
const asciiJson = (value) => JSON.stringify(value)
  .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The record of `members` (the head's members, in order, without `sum`) and
 * `body` (a JSON text), with its checksum. `ascii: false` leaves non-ASCII
 * characters of the head unescaped (the package refuses such a head). */
export function writeRecord(members, body, { ascii = true } = {}) {
  const json = ascii ? asciiJson : JSON.stringify;
  const head = `{${Object.entries(members).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`).join(',')}`;
  const sum = xxh64(utf8(head), xxh64(utf8(body))).toString(16).padStart(16, '0');
  return `${head},"sum":"${sum}","body":${body}}`;
}

/** The parts of a record text of format 3: its head's members (without `sum`) and its body's text. */
export function readRecord(text) {
  const end = text.indexOf('","body":');
  const members = JSON.parse(`${text.slice(0, end - 16 - ',"sum":"'.length)}}`);
  return { members, body: text.slice(end + '","body":'.length, -1) };
}

/** A record text with its members changed by `change` (and its body by
 * `changeBody`, on the parsed body), sealed again as the package would. */
export function reseal(text, change = (m) => m, changeBody = null) {
  const { members, body } = readRecord(text);
  if (!changeBody) return writeRecord(change({ ...members }), body);
  const parsed = JSON.parse(body);
  return writeRecord(change({ ...members }), JSON.stringify(changeBody(parsed) ?? parsed));
}
