"""Record factories shared by the storage contract suites."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine

from hoga.domain.model import Side
from hoga.ports.storage import OrderRecord


def order_record(ord_no: int, account: str = "5000000001", **over: object) -> OrderRecord:
    """A resting 10-share limit buy of 005930 at 70,000, with ``over`` replacing fields."""
    fields: dict[str, object] = {
        "ord_no": ord_no,
        "account": account,
        "code": "005930",
        "side": Side.BUY,
        "trde_tp": "0",
        "price": 70_000,
        "qty": 10,
        "stop_price": 0,
        "orig_ord_no": None,
        "status": "accepted",
        "filled_qty": 0,
        "open_qty": 10,
        "created_at": 1_000 + ord_no,
        "updated_at": 1_000 + ord_no,
    }
    fields.update(over)
    return OrderRecord(**fields)  # type: ignore[arg-type]


@contextmanager
def at_revision(storage_url: str, revision: str) -> Iterator[Connection]:
    """A connection to the database at ``storage_url`` migrated only up to ``revision`` (in one
    transaction, committed when the block ends): rows written in it are what an older hoga
    left behind, for the next ``open_storage`` to upgrade."""
    from alembic import command
    from alembic.config import Config

    from hoga.adapters.sql.storage import MIGRATIONS

    engine = create_engine(storage_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            yield conn
    finally:
        engine.dispose()
