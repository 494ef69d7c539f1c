"""Customers, API keys, tokens and accounts.

Every write that can end a token's validity (a customer's status, a key or token revocation; in
``security.py`` a key's access settings) also bumps the durable sequence
:data:`IDENTITY_CHANGES` in the same transaction: the identity service polls it to drop its
in-memory token cache when another process changed something (hoga.engine.identity).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import BindParameter, and_, bindparam, delete, insert, select, update

from hoga.adapters.sql.schema import accounts, api_keys, customers, tokens
from hoga.adapters.sql.trading import SqlSequenceRepository
from hoga.adapters.sql.tx import Tx
from hoga.errors import NotFoundError
from hoga.ports.storage import AccountRecord, ApiKeyRecord, CustomerRecord, TokenRecord

__all__ = [
    "IDENTITY_CHANGES",
    "SqlAccountRepository",
    "SqlApiKeyRepository",
    "SqlCustomerRepository",
    "SqlTokenRepository",
]


#: The sequence bumped by identity writes (the same name as hoga.engine.identity.CHANGES).
IDENTITY_CHANGES = "identity.changes"


# Lookups built once (every authentication that misses the token cache runs several): building
# and cache-keying a statement per call costs more than the SQLite lookup itself.
_KEY: BindParameter[str] = bindparam("key")
_GET_CUSTOMER = select(customers).where(customers.c.id == _KEY)
_GET_API_KEY = select(api_keys).where(api_keys.c.appkey == _KEY)
_GET_TOKEN = select(tokens).where(tokens.c.token_hash == _KEY)
_GET_ACCOUNT = select(accounts).where(accounts.c.account_no == _KEY)
_ACCOUNTS_OF = (
    select(accounts).where(accounts.c.customer_id == _KEY).order_by(accounts.c.account_no)
)


def identity_changed(tx: Tx) -> None:
    """Bump :data:`IDENTITY_CHANGES` in ``tx`` (see the module docstring)."""
    SqlSequenceRepository(tx).allocate(IDENTITY_CHANGES)


def _customer(row: Any) -> CustomerRecord:
    return CustomerRecord(row.id, row.name, row.env, row.status, row.created_at)


def _key(row: Any) -> ApiKeyRecord:
    return ApiKeyRecord(
        row.appkey, row.secret_hash, row.customer_id, row.env, row.created_at, row.revoked_at
    )


def _token(row: Any) -> TokenRecord:
    return TokenRecord(row.token_hash, row.appkey, row.issued_at, row.expires_at, row.revoked_at)


def _account(row: Any) -> AccountRecord:
    return AccountRecord(row.account_no, row.customer_id, row.env, row.created_at)


class SqlCustomerRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(self, customer: CustomerRecord) -> None:
        self._tx.execute(insert(customers), asdict(customer))

    def get(self, customer_id: str) -> CustomerRecord | None:
        row = self._tx.execute(_GET_CUSTOMER, {"key": customer_id}).first()
        return None if row is None else _customer(row)

    def set_status(self, customer_id: str, status: str) -> CustomerRecord:
        stmt = (
            update(customers)
            .where(customers.c.id == customer_id)
            .values(status=status)
            .returning(*customers.c)
        )
        row = self._tx.execute(stmt).first()
        if row is None:
            raise NotFoundError(f"customer {customer_id!r}")
        identity_changed(self._tx)
        return _customer(row)

    def list(self) -> list[CustomerRecord]:
        rows = self._tx.execute(select(customers).order_by(customers.c.id))
        return [_customer(r) for r in rows]


class SqlApiKeyRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(self, key: ApiKeyRecord) -> None:
        self._tx.execute(insert(api_keys), asdict(key))

    def get(self, appkey: str) -> ApiKeyRecord | None:
        row = self._tx.execute(_GET_API_KEY, {"key": appkey}).first()
        return None if row is None else _key(row)

    def revoke(self, appkey: str, at: int) -> ApiKeyRecord:
        self._tx.execute(
            update(api_keys)
            .where(and_(api_keys.c.appkey == appkey, api_keys.c.revoked_at.is_(None)))
            .values(revoked_at=at)
        )
        key = self.get(appkey)
        if key is None:
            raise NotFoundError(f"api key {appkey!r}")
        identity_changed(self._tx)
        return key

    def by_customer(self, customer_id: str) -> list[ApiKeyRecord]:
        stmt = (
            select(api_keys)
            .where(api_keys.c.customer_id == customer_id)
            .order_by(api_keys.c.created_at, api_keys.c.appkey)
        )
        return [_key(r) for r in self._tx.execute(stmt)]


class SqlTokenRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(self, token: TokenRecord) -> None:
        self._tx.execute(insert(tokens), asdict(token))

    def get(self, token_hash: str) -> TokenRecord | None:
        row = self._tx.execute(_GET_TOKEN, {"key": token_hash}).first()
        return None if row is None else _token(row)

    def revoke(self, token_hash: str, at: int) -> TokenRecord:
        self._tx.execute(
            update(tokens)
            .where(and_(tokens.c.token_hash == token_hash, tokens.c.revoked_at.is_(None)))
            .values(revoked_at=at)
        )
        token = self.get(token_hash)
        if token is None:
            raise NotFoundError(f"token {token_hash!r}")
        identity_changed(self._tx)
        return token

    def revoke_all(self, appkey: str, at: int) -> int:
        stmt = (
            update(tokens)
            .where(and_(tokens.c.appkey == appkey, tokens.c.revoked_at.is_(None)))
            .values(revoked_at=at)
        )
        count: int = self._tx.execute(stmt).rowcount
        if count:
            identity_changed(self._tx)
        return count

    def delete_expired(self, before: int) -> int:
        return self._tx.execute(delete(tokens).where(tokens.c.expires_at < before)).rowcount


class SqlAccountRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(self, account: AccountRecord) -> None:
        self._tx.execute(insert(accounts), asdict(account))

    def get(self, account_no: str) -> AccountRecord | None:
        row = self._tx.execute(_GET_ACCOUNT, {"key": account_no}).first()
        return None if row is None else _account(row)

    def by_customer(self, customer_id: str) -> list[AccountRecord]:
        return [_account(r) for r in self._tx.execute(_ACCOUNTS_OF, {"key": customer_id})]
