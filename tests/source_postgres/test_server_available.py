"""The PostgreSQL test server answers (fails in CI, skips elsewhere, saying why, when not)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.postgres


def test_the_postgresql_test_server_answers(server_dsn: str) -> None:
    import psycopg

    with psycopg.connect(server_dsn) as db:
        (version,) = db.execute("SHOW server_version_num").fetchone()
    assert int(version) >= 120000
