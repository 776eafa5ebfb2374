import { describe, expect, it } from 'vitest';
import { describeSchemaChange } from './describe-schema-change.js';

describe('describeSchemaChange', () => {
  it('names the change, the column, the types and the action', () => {
    expect(describeSchemaChange({ column: 'price', change: 'new_column', action: 'add', to: 'numeric(10,2)' })).toBe(
      'new_column "price" (numeric(10,2)): add',
    );
    expect(
      describeSchemaChange({ column: 'qty', change: 'type_change', action: 'coerce', from: 'integer', to: 'bigint' }),
    ).toBe('type_change "qty" integer -> bigint: coerce');
    expect(
      describeSchemaChange({
        column: 'qty',
        change: 'type_change',
        action: 'null',
        from: 'integer',
        to: 'text',
        rows: 3,
      }),
    ).toBe('type_change "qty" integer -> text: null, 3 rows written NULL');
    expect(describeSchemaChange({ column: 'note', change: 'removed_column', action: 'ignore' })).toBe(
      'removed_column "note": ignore',
    );
  });

  it('shows an unexpected report as JSON instead of dropping it', () => {
    expect(describeSchemaChange({ what: 1 })).toBe('{"what":1}');
    expect(describeSchemaChange('x')).toBe('"x"');
  });
});
