import { describe, expect, it } from "vitest";
import { splitStatements } from "../../src/store/migrate.js";

describe("migration scripts are split into statements", () => {
  it("splits on semicolons but not inside quotes, comments or dollar-quoted function bodies", () => {
    const sql = `-- the table's comment; with a semicolon
CREATE TABLE t (x text DEFAULT 'a;b');
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'non; jamais';
  RETURN NULL;
END
$$;
CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
SELECT 1`;
    const parts = splitStatements(sql);
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe("CREATE TABLE t (x text DEFAULT 'a;b')");
    expect(parts[1]).toContain("RETURN NULL;\nEND\n$$");
    expect(parts[2]).toBe("CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$");
    expect(parts[3]).toBe("SELECT 1");
  });

  it("refuses an unclosed dollar-quoted body rather than running half of it", () => {
    expect(() => splitStatements("CREATE FUNCTION f() AS $$ BEGIN;")).toThrow("non fermé");
  });
});
