"""postgresql:// store URLs: checked before anything connects; shown with the password hidden."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SCHEMES: Final = ("postgresql", "postgres")
FORM: Final = "postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
SSL_MODES: Final = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# Ours, used here and never sent on; and libpq's, handed to asyncpg as they are.
POOL_OPTIONS: Final = ("min_size", "max_size", "connect_timeout")
DRIVER_OPTIONS: Final = ("sslmode", "application_name", "passfile")
# No floor by default: with one, asyncpg keeps reconnecting in the background while the server is
# down, and logs a WARNING with a traceback (logger asyncpg.pool) at each try. Without one, only
# requests connect, and each failure is that request's 503 and its one log line.
DEFAULT_MIN_SIZE: Final = 0
DEFAULT_MAX_SIZE: Final = 10
MAX_POOL_SIZE: Final = 1000
DEFAULT_CONNECT_TIMEOUT_S: Final = 10.0


@dataclass(frozen=True)
class PostgresUrl:
    """A checked store URL: what asyncpg connects with, and the pool's settings."""

    dsn: str  # the URL less our own options, password included: never print it
    shown: str  # the URL with its password hidden, for messages and logs
    min_size: int = DEFAULT_MIN_SIZE
    max_size: int = DEFAULT_MAX_SIZE
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S


def redact(url: str) -> str:
    """The URL with everything between `user:` and the last `@` shown as `***`.

    By the text rather than by urlsplit: a password holding a `/` or `#` that was not
    percent-encoded ends urlsplit's netloc early, and must still not be shown.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    userinfo, _, hostinfo = rest.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    if not colon or "/" in user:
        return url  # a user name and no password, or an @ in a path (sqlite:///a@b)
    return f"{scheme}://{user}:***@{hostinfo}"


def parse(url: str) -> PostgresUrl:
    """Check a postgresql:// URL; ValueError names what is wrong (never the password)."""
    shown = redact(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- urlsplit checks the port only when asked for it
    except ValueError:  # its message can quote a piece of the password: not shown
        raise ValueError(f"bad host or port in postgresql URL {shown!r}; expected {FORM}") from None
    if parts.scheme not in SCHEMES:
        raise ValueError(f"expected {FORM}, got {shown!r}")
    if parts.fragment:
        raise ValueError(f"a postgresql URL takes no #fragment, got {shown!r}")
    if "," in parts.netloc:
        raise ValueError(f"one host only in a postgresql URL, got {shown!r}")
    if "/" in parts.path[1:]:
        raise ValueError(f"the path of a postgresql URL is one database name, got {shown!r}")
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise ValueError(f"malformed options in postgresql URL {shown!r}") from None
    options = dict(pairs)
    if len(options) < len(pairs):
        raise ValueError(f"an option is given twice in postgresql URL {shown!r}")
    unknown = options.keys() - {*POOL_OPTIONS, *DRIVER_OPTIONS}
    if unknown:
        known = ", ".join((*POOL_OPTIONS, *DRIVER_OPTIONS))
        raise ValueError(f"unknown postgresql option(s): {', '.join(sorted(unknown))} ({known})")
    min_size = _count(options, "min_size", DEFAULT_MIN_SIZE, 0)
    max_size = _count(options, "max_size", max(DEFAULT_MAX_SIZE, min_size), 1)
    if min_size > max_size:
        raise ValueError(f"min_size ({min_size}) must not exceed max_size ({max_size})")
    timeout = _seconds(options, "connect_timeout", DEFAULT_CONNECT_TIMEOUT_S)
    if options.get("sslmode", "prefer") not in SSL_MODES:
        raise ValueError(f"sslmode must be one of {', '.join(SSL_MODES)}")
    passed = [(k, v) for k, v in pairs if k in DRIVER_OPTIONS]
    dsn = urlunsplit(parts._replace(query=urlencode(passed)))
    return PostgresUrl(dsn, shown, min_size, max_size, timeout)


def _count(options: dict[str, str], name: str, default: int, least: int) -> int:
    text = options.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or not least <= int(text) <= MAX_POOL_SIZE:
        raise ValueError(f"{name} must be a whole number from {least} to {MAX_POOL_SIZE}")
    return int(text)


def _seconds(options: dict[str, str], name: str, default: float) -> float:
    text = options.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:  # NaN fails too
        raise ValueError(f"{name} must be a number of seconds above 0, at most 3600")
    return value
