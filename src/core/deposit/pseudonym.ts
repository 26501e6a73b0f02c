/**
 * Keyed pseudonyms: HMAC-SHA256 of the normalised identifier under a secret
 * of the convention. The same person gets the same pseudonym in every file
 * of the convention (duplicates are found, years can be linked), no one
 * without the secret can recompute it, and the secret lives outside the
 * database, so a dump of the database alone reveals nothing.
 */
import { createHmac } from "node:crypto";

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
  const mac = createHmac("sha256", secret).update(normaliseIdentifier(identifier), "utf8").digest();
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
