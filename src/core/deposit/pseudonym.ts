/**
 * Keyed pseudonyms: HMAC-SHA256 of the normalised identifier under a secret
 * of the convention. The same person gets the same pseudonym in every file
 * of the convention (duplicates are found, years can be linked), no one
 * without the secret can recompute it, and the secret lives outside the
 * database, so a dump of the database alone reveals nothing.
 */
import { createHash, createHmac, hash } from "node:crypto";

/** Leading zeros, case, spaces and separators do not make another person. */
export function normaliseIdentifier(raw: string): string {
  return raw
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s\-_./]/g, "")
    .replace(/^0+(?=\d)/, "");
}

/** 26 characters of base32 (130 bits): collisions are out of reach for any realistic file. */
export function pseudonym(secret: Uint8Array, identifier: string): string {
  const mac = hmacSha256(secret, normaliseIdentifier(identifier));
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of mac) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= 26) break;
  }
  return out;
}

/** A secret's HMAC pads (RFC 2104) and the buffers its messages are hashed in. */
interface Keyed {
  inner: Buffer;
  outer: Buffer;
}
const BLOCK = 64;
/** Identifiers longer than this (in UTF-8) go through createHmac. */
const MAX_MESSAGE = 1024;
const keyed = new WeakMap<Uint8Array, Keyed>();

/**
 * HMAC-SHA256 as RFC 2104 writes it, H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with
 * the pads computed once per secret and two one-shot hashes a message:
 * createHmac builds a keyed object for every row of a deposit, which costs
 * more than the hashing. Same bytes as createHmac (tested).
 */
export function hmacSha256(secret: Uint8Array, message: string): Buffer {
  let k = keyed.get(secret);
  if (!k) {
    const key = secret.length > BLOCK ? createHash("sha256").update(secret).digest() : Buffer.from(secret);
    const inner = Buffer.alloc(BLOCK + MAX_MESSAGE, 0x36);
    const outer = Buffer.alloc(BLOCK + 32, 0x5c);
    for (let i = 0; i < key.length; i++) {
      inner[i] = 0x36 ^ key[i]!;
      outer[i] = 0x5c ^ key[i]!;
    }
    k = { inner, outer };
    keyed.set(secret, k);
  }
  // A string of n UTF-16 units takes at most 3n bytes in UTF-8.
  if (message.length * 3 > MAX_MESSAGE) return createHmac("sha256", secret).update(message, "utf8").digest();
  const n = k.inner.write(message, BLOCK, "utf8");
  const h = hash("sha256", k.inner.subarray(0, BLOCK + n), "buffer") as unknown as Buffer;
  h.copy(k.outer, BLOCK);
  return hash("sha256", k.outer, "buffer") as unknown as Buffer;
}
