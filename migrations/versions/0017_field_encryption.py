"""customers' emails, phones and addresses encrypted at rest, with blind indexes for the lookups

Revision ID: 0017_field_encryption
Revises: 0016_lane_region_key
Create Date: 2026-11-24 07:00:00

Adds the `*_hash` blind-index columns, turns the email, phone, address and export columns into text that
holds Fernet tokens, and encrypts the rows already there in batches (keys from the app's settings:
ENCRYPTION_KEY, BLIND_INDEX_KEY). The ledger's lower-cased guest email becomes the email's blind index.
Downgrade decrypts every value back into the plain columns and rebuilds the ledger's emails from the orders.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0017_field_encryption'
down_revision = '0016_lane_region_key'
branch_labels = None
depends_on = None

BATCH = 1000
# table -> [(column, its blind index or None, "email" | "phone" | "json", the plain type before this revision)]
FIELDS = {
    'customers': [('email', 'email_hash', 'email', sa.String(320)), ('phone', 'phone_hash', 'phone', sa.String(32))],
    'orders': [('email', 'email_hash', 'email', sa.String(320)), ('shipping_address', None, 'json', sa.JSON())],
    'checkouts': [('email', 'email_hash', 'email', sa.String(320)), ('phone', 'phone_hash', 'phone', sa.String(32)),
                  ('shipping_address', None, 'json', sa.JSON())],
    'recovery_cases': [('email', 'email_hash', 'email', sa.String(320))],
    'recovery_messages': [('email', 'email_hash', 'email', sa.String(320))],
    'recovery_opt_outs': [('email', 'email_hash', 'email', sa.String(320))],
    'data_exports': [('payload', None, 'json', sa.JSON())],
}
# (table, index name, columns) dropped by the upgrade: an index over ciphertext finds nothing.
OLD_INDEXES = [
    ('customers', 'ix_customers_email', ['email']),
    ('customers', 'ix_customers_shop_email_lower', ['shop_id', sa.text('lower(email)')]),
    ('orders', 'ix_orders_email', ['email']),
    ('checkouts', 'ix_checkouts_email', ['email']),
    ('recovery_cases', 'ix_recovery_cases_email', ['email']),
    ('recovery_messages', 'ix_recovery_messages_email', ['email']),
]
NEW_INDEXES = [(t, f'ix_{t}_shop_email_hash', ['shop_id', 'email_hash'])
               for t in ('customers', 'orders', 'checkouts', 'recovery_cases', 'recovery_messages')]


def _keys():
    from app.field_crypto import current

    return current()


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def _batches(table: str, columns: list[str]):
    """Rows with any of `columns` set, by id, BATCH at a time."""
    conn = op.get_bind()
    cols = ', '.join(columns)
    anyset = ' OR '.join(f'{c} IS NOT NULL' for c in columns)
    last = 0
    while True:
        rows = conn.execute(sa.text(f'SELECT id, {cols} FROM {table} WHERE id > :last AND ({anyset}) '  # noqa: S608 - names from FIELDS
                                    f'ORDER BY id LIMIT {BATCH}'), {'last': last}).all()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _write(table: str, rows: list[dict]) -> None:
    if rows:
        sets = ', '.join(f'{c} = :{c}' for c in rows[0] if c != 'id')
        op.get_bind().execute(sa.text(f'UPDATE {table} SET {sets} WHERE id = :id'), rows)  # noqa: S608 - names from FIELDS


def _encrypt(keys, kind: str, value):
    if value is None or value == '':
        return value, None
    if kind == 'json':
        text = value if isinstance(value, str) else json.dumps(value)
        return (None if json.loads(text) is None else keys.encrypt(text)), None
    index = keys.email_index(value) if kind == 'email' else keys.phone_index(value)
    return keys.encrypt(value), index


def _decrypt(keys, value):
    return value if value is None or value == '' else keys.decrypt(value)


def upgrade() -> None:
    # First: SQLite's batch mode rebuilds a table without the expression index it cannot reflect.
    for table, name, _ in OLD_INDEXES:
        op.drop_index(name, table_name=table)
    for table, fields in FIELDS.items():
        with op.batch_alter_table(table) as batch:
            for column, index, _kind, _ in fields:
                if index:
                    batch.add_column(sa.Column(index, sa.String(64), nullable=True))
                batch.alter_column(column, type_=sa.Text(), postgresql_using=f'{column}::text')
    with op.batch_alter_table('spend_entries') as batch:
        batch.add_column(sa.Column('email_hash', sa.String(64), nullable=True))

    keys = None
    for table, fields in FIELDS.items():
        columns = [f[0] for f in fields]
        for rows in _batches(table, columns):
            keys = keys or _keys()
            out = []
            for row in rows:
                values = {'id': row[0]}
                for (column, index, kind, _), value in zip(fields, row[1:], strict=True):
                    values[column], hashed = _encrypt(keys, kind, value)
                    if index:
                        values[index] = hashed
                out.append(values)
            _write(table, out)
    for rows in _batches('spend_entries', ['email']):
        keys = keys or _keys()
        _write('spend_entries', [{'id': i, 'email_hash': keys.email_index(e)} for i, e in rows])
    # One opt-out per address: two spellings of one address (case) become one index; an empty one is none.
    op.execute('DELETE FROM recovery_opt_outs WHERE email_hash IS NULL')
    op.execute('DELETE FROM recovery_opt_outs WHERE id NOT IN '
               '(SELECT min(id) FROM recovery_opt_outs GROUP BY shop_id, email_hash)')

    for table, name, columns in NEW_INDEXES:
        op.create_index(name, table, columns)
    with op.batch_alter_table('spend_entries') as batch:
        batch.drop_index('ix_spend_entries_shop_email')
        batch.drop_column('email')
        batch.create_index('ix_spend_entries_shop_email_hash', ['shop_id', 'email_hash'])
    with op.batch_alter_table('recovery_opt_outs') as batch:
        batch.drop_constraint('uq_recovery_opt_outs_shop_id_email', type_='unique')
        batch.alter_column('email_hash', existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint('uq_recovery_opt_outs_shop_id_email_hash', ['shop_id', 'email_hash'])


def downgrade() -> None:
    keys = None
    for table, fields in FIELDS.items():
        columns = [f[0] for f in fields]
        for rows in _batches(table, columns):
            keys = keys or _keys()
            _write(table, [{'id': row[0], **{f[0]: _decrypt(keys, v) for f, v in zip(fields, row[1:], strict=True)}}
                           for row in rows])

    with op.batch_alter_table('recovery_opt_outs') as batch:
        batch.drop_constraint('uq_recovery_opt_outs_shop_id_email_hash', type_='unique')
        batch.create_unique_constraint('uq_recovery_opt_outs_shop_id_email', ['shop_id', 'email'])
    with op.batch_alter_table('spend_entries') as batch:
        batch.drop_index('ix_spend_entries_shop_email_hash')
        batch.add_column(sa.Column('email', sa.String(320), nullable=True))
        batch.create_index('ix_spend_entries_shop_email', ['shop_id', 'email'])
    # The ledger kept the order's lower-cased email: the orders hold it again, in the clear.
    op.execute('UPDATE spend_entries SET email = (SELECT lower(o.email) FROM orders o '
               'WHERE o.shop_id = spend_entries.shop_id AND o.shopify_id = spend_entries.order_shopify_id) '
               'WHERE email_hash IS NOT NULL')
    for table, name, _ in NEW_INDEXES:
        op.drop_index(name, table_name=table)
    for table, fields in FIELDS.items():
        with op.batch_alter_table(table) as batch:
            for column, index, _, plain in fields:
                batch.alter_column(column, type_=plain, existing_type=sa.Text(),
                                   postgresql_using=f'{column}::json' if isinstance(plain, sa.JSON) else None)
                if index:
                    batch.drop_column(index)
    with op.batch_alter_table('spend_entries') as batch:
        batch.drop_column('email_hash')
    for table, name, columns in OLD_INDEXES:
        op.create_index(name, table, columns)
