"""What the PostgreSQL benchmarks share: their own database, and SQL that generates valid data."""

from __future__ import annotations

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PREFIX = "91320804"  # legal entity, 淮阴区


def ensure_database(dsn: str) -> None:
    """Create the bench database if it does not exist (connecting to the server's ``postgres``)."""
    import psycopg

    name = dsn.rsplit("/", 1)[1]
    server = dsn.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def uscc_sql(serial: str) -> str:
    """SQL for a valid USCC (GB 32100-2015) whose nine characters before the check are ``serial`` (digits)."""
    prefix_sum = sum(w * USCC_ALPHABET.index(ch) for w, ch in zip(USCC_WEIGHTS, USCC_PREFIX, strict=False))
    terms = " + ".join(f"{w} * substr({serial}, {k + 1}, 1)::int" for k, w in enumerate(USCC_WEIGHTS[8:]))
    check = f"substr('{USCC_ALPHABET}', (31 - ({prefix_sum} + {terms}) % 31) % 31 + 1, 1)"
    return f"'{USCC_PREFIX}' || {serial} || {check}"


def event_type_sql(mix: tuple[tuple[str, float], ...]) -> str:
    """SQL CASE choosing an event type from the random column ``rt`` with the shares of ``mix``."""
    cases, total = [], 0.0
    for code, share in mix[:-1]:
        total += share
        cases.append(f"WHEN rt < {total:.4f} THEN '{code}'")
    return f"CASE {' '.join(cases)} ELSE '{mix[-1][0]}' END"
