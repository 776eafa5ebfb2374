import { describe, expect, it } from 'vitest';
import { addCdcColumnsDdl, cdcExtraColumns, cdcSettings } from '../src/cdc-settings.js';

describe('cdcSettings', () => {
  it('defaults both options off', () => {
    expect(cdcSettings(undefined)).toEqual({ softDelete: false, syncedAt: false });
    expect(cdcSettings({ soft_delete: true, synced_at: true })).toEqual({ softDelete: true, syncedAt: true });
  });
});

describe('bookkeeping columns', () => {
  const both = { softDelete: true, syncedAt: true };

  it('adds _rb_deleted_at (upsert only) and _rb_synced_at with a now() default', () => {
    expect(cdcExtraColumns(both, 'upsert').map((c) => c.name)).toEqual(['_rb_deleted_at', '_rb_synced_at']);
    expect(cdcExtraColumns(both, 'append').map((c) => c.name)).toEqual(['_rb_synced_at']);
    expect(addCdcColumnsDdl('My Schema', 'Order', both, 'upsert', ['id'])).toBe(
      'ALTER TABLE "My Schema"."Order" ADD COLUMN IF NOT EXISTS "_rb_deleted_at" timestamptz, ' +
        'ADD COLUMN IF NOT EXISTS "_rb_synced_at" timestamptz DEFAULT now()',
    );
  });

  it('takes no lock when the target has them, or nothing is asked', () => {
    expect(addCdcColumnsDdl('s', 't', both, 'upsert', ['id', '_rb_deleted_at', '_rb_synced_at'])).toBeUndefined();
    expect(addCdcColumnsDdl('s', 't', { softDelete: false, syncedAt: false }, 'upsert', [])).toBeUndefined();
    expect(addCdcColumnsDdl('s', 't', both, 'upsert', ['_rb_synced_at'])).toBe(
      'ALTER TABLE "s"."t" ADD COLUMN IF NOT EXISTS "_rb_deleted_at" timestamptz',
    );
  });
});
