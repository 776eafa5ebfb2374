import type { PgColumn } from '@rapidbyte/sdk';
import { describe, expect, it } from 'vitest';
import { textLoadShim } from '../src/text-load-shim.js';

function col(name: string, typeName: string, typeOid: number): PgColumn {
  return { name, typeName, typeOid, typeCategory: 'U', nullable: true, enumLabels: [] };
}

describe('textLoadShim', () => {
  it('COPYs into a temporary text-typed view whose INSTEAD OF INSERT trigger casts into the exact types', () => {
    const shim = textLoadShim(
      'wh',
      'Books',
      '4242',
      [col('id', 'integer', 23), col('Isbn', 'isbn13', 16500), col('isbns', 'isbn13[]', 16501)],
      new Map([
        ['Isbn', 'isbn13'],
        ['isbns', 'isbn13[]'],
      ]),
    );
    expect(shim.setup).toEqual([
      'DROP VIEW IF EXISTS "pg_temp"."_rb_text_in_4242"',
      'CREATE TEMPORARY VIEW "_rb_text_in_4242" AS SELECT "id", "Isbn"::text AS "Isbn", "isbns"::text AS "isbns" FROM "wh"."Books"',
      `CREATE OR REPLACE FUNCTION "pg_temp"."_rb_text_in_4242"() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN INSERT INTO "wh"."Books" ("id", "Isbn", "isbns") OVERRIDING SYSTEM VALUE VALUES (NEW."id", NEW."Isbn"::isbn13, NEW."isbns"::isbn13[]); RETURN NEW; END'`,
      'CREATE TRIGGER _rb_text_in INSTEAD OF INSERT ON "pg_temp"."_rb_text_in_4242" FOR EACH ROW EXECUTE FUNCTION "pg_temp"."_rb_text_in_4242"()',
    ]);
    expect(shim.copy).toBe('COPY "pg_temp"."_rb_text_in_4242" ("id", "Isbn", "isbns") FROM STDIN (FORMAT binary)');
    // the host encodes those columns as text, the rest as before
    expect(shim.columns.map((c) => [c.name, c.typeName, c.typeOid])).toEqual([
      ['id', 'integer', 23],
      ['Isbn', 'text', 25],
      ['isbns', 'text', 25],
    ]);
  });
});
