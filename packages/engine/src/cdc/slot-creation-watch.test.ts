import { describe, expect, it } from 'vitest';
import { describeBlockers } from './slot-creation-watch.js';

describe('describeBlockers', () => {
  it('names each session a slot creation waits on: pid, application, user, database, state and age, last query on one line', () => {
    expect(
      describeBlockers([
        {
          pid: 4242,
          applicationName: 'billing',
          user: 'app',
          database: 'shop',
          state: 'idle in transaction',
          ageSeconds: 95,
          query: 'SELECT *\n  FROM orders\tFOR UPDATE',
        },
        { pid: 7, applicationName: '', user: 'etl', database: 'dw', state: '', ageSeconds: 3, query: '' },
      ]),
    ).toBe(
      'pid 4242 (application_name "billing", user app, database shop, idle in transaction for 95 s, last query: SELECT * FROM orders FOR UPDATE); ' +
        'pid 7 (application_name "", user etl, database dw, in a transaction for 3 s)',
    );
  });
});
