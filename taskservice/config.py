"""YAML file -> typed, validated Config; every error names the bad key."""

from __future__ import annotations

import logging.config
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

import yaml

from taskservice.store import DEFAULT_STORE_URL, MemoryStore, make_store
from taskservice.utils import logqueue

DEFAULT_MAX_BODY_BYTES: Final = 64 * 1024
DEFAULT_MAX_HEADER_BYTES: Final = 16 * 1024
DEFAULT_LOGGING: Final[dict[str, Any]] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"brief": {"format": "%(asctime)s %(name)s %(levelname)s : %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "brief",
            "level": "INFO",
            "stream": "ext://sys.stdout",
        }
    },
    "loggers": {"taskservice": {"level": "INFO", "handlers": ["console"], "propagate": False}},
}


class ConfigError(ValueError):
    """A config value is wrong; str() is one line that starts with the key's dotted path."""


@dataclass(frozen=True)
class Config:
    """Everything the service reads from its config file, with the command line's overrides."""

    service_name: str = "TodoList"
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    header_timeout_s: float = 10.0
    idle_timeout_s: float = 60.0
    body_timeout_s: float = 30.0
    shutdown_timeout_s: float = 10.0
    http: str = "llhttp"  # the transport: llhttp (httptools) or Tornado's own HTTP server
    loop: str = "auto"  # the event loop: uvloop under llhttp when installed, else asyncio's own
    loop_lag_warning_s: float = 0.25  # a WARNING when the loop lags this much; 0: never
    workers: int = 1  # processes serving one port (SO_REUSEPORT), under one supervisor
    log_queue: bool = False  # write log lines on a listener thread, off the event loop
    store_url: str = DEFAULT_STORE_URL
    debug: bool = False
    admin_host: str = "127.0.0.1"
    admin_port: int | None = None  # None: no admin listener at all; 0: a free port
    admin_debug: bool = False  # /debug/profile and /debug/tasks on the admin listener
    profiling_yappi: bool = False  # profile the whole run with yappi
    profiling_clock: str = "wall"
    profiling_output: str | None = None  # None: yappi-<pid> in the working directory
    logging: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_LOGGING))

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with the given fields replaced (None means keep), validated again."""
        return validate(replace(self, **{k: v for k, v in overrides.items() if v is not None}))


_HEADERS: Final = "1024 to 2**20"
_PORTS: Final = "an integer from 0 to 65535"
_DIR: Final = "a folder name"
_LAG: Final = "seconds from 0 (never warn) to 3600"
_LOOPS: Final = "auto, asyncio or uvloop"
# Each config key: (dotted path, Config field, type, check, what the check wants).
_KEYS: Final = (
    ("service.name", "service_name", str, lambda v: bool(v.strip()), "a non-empty string"),
    ("server.host", "host", str, lambda v: bool(v.strip()), "a host name or address"),
    ("server.port", "port", int, lambda v: 0 <= v <= 65535, _PORTS),
    ("server.max_body_bytes", "max_body_bytes", int, lambda v: 1 <= v <= 2**30, "1 to 2**30"),
    ("server.max_header_bytes", "max_header_bytes", int, lambda v: 1024 <= v <= 2**20, _HEADERS),
    ("server.header_timeout", "header_timeout_s", float, lambda v: 0 < v <= 3600, "0 to 3600"),
    ("server.idle_timeout", "idle_timeout_s", float, lambda v: 0 < v <= 3600, "0 to 3600"),
    ("server.body_timeout", "body_timeout_s", float, lambda v: 0 < v <= 3600, "0 to 3600"),
    ("server.shutdown_timeout", "shutdown_timeout_s", float, lambda v: 0 < v <= 3600, "0 to 3600"),
    ("server.http", "http", str, lambda v: v in ("llhttp", "tornado"), "llhttp or tornado"),
    ("server.loop", "loop", str, lambda v: v in ("auto", "asyncio", "uvloop"), _LOOPS),
    ("server.log_queue", "log_queue", bool, lambda v: True, "true or false"),
    ("server.loop_lag_warning", "loop_lag_warning_s", float, lambda v: 0 <= v <= 3600, _LAG),
    ("server.workers", "workers", int, lambda v: 1 <= v <= 256, "an integer from 1 to 256"),
    ("store.url", "store_url", str, lambda v: True, "a store URL"),
    ("admin.host", "admin_host", str, lambda v: bool(v.strip()), "a host name or address"),
    ("admin.port", "admin_port", int, lambda v: v is None or 0 <= v <= 65535, _PORTS),
    ("admin.debug", "admin_debug", bool, lambda v: True, "true or false"),
    ("profiling.yappi", "profiling_yappi", bool, lambda v: True, "true or false"),
    ("profiling.clock", "profiling_clock", str, lambda v: v in ("wall", "cpu"), "wall or cpu"),
    ("profiling.output", "profiling_output", str, lambda v: v is None or bool(v.strip()), _DIR),
)
_MAPPED: Final = ("service", "server", "store", "admin", "profiling")
_SECTIONS: Final = {*_MAPPED, "logging"}


def parse(data: object, source: str = "config") -> Config:
    """Build a Config from already-parsed YAML data; ConfigError names the first bad key."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    _reject_unknown(data, _SECTIONS, "")
    sections: dict[str, dict[Any, Any]] = {}
    for section in _MAPPED:
        sub = data.get(section)
        sub = {} if sub is None else sub  # an empty section in YAML reads as None
        if not isinstance(sub, dict):
            raise ConfigError(f"{section}: expected a mapping")
        known = {path.split(".")[1] for path, *_ in _KEYS if path.startswith(section + ".")}
        _reject_unknown(sub, known, section + ".")
        sections[section] = sub
    values: dict[str, Any] = {}
    # Keys whose default is "none" (admin.port, profiling.output): `port:` or `port: null` in YAML
    # says just that, as an empty section does.
    optional = {f.name for f in fields(Config) if f.default is None}
    for path, name, typ, _check, want in _KEYS:
        section, key = path.split(".")
        if key in sections[section]:
            value = sections[section][key]
            if value is None and name in optional:
                continue
            values[name] = _coerce(path, value, typ, want)
    if "logging" in data:
        if not isinstance(data["logging"], dict):
            raise ConfigError("logging: expected a logging.config.dictConfig mapping")
        values["logging"] = data["logging"]
    return validate(Config(**values))


def validate(config: Config) -> Config:
    """Check every value's range; ConfigError names the key."""
    for path, name, _typ, check, want in _KEYS:
        if not check(getattr(config, name)):
            raise ConfigError(f"{path}: expected {want}, got {getattr(config, name)!r}")
    try:
        store = make_store(config.store_url)
    except ValueError as e:
        raise ConfigError(f"store.url: {e}") from None
    if config.workers > 1 and isinstance(store, MemoryStore):
        # Each worker would have a memory of its own: a task made in one is a 404 in another.
        raise ConfigError(
            f"server.workers: {config.workers} workers cannot share the memory store; "
            "use a sqlite:/// or postgresql:// store URL, or 1 worker"
        )
    if config.admin_port is not None and config.admin_port == config.port != 0:
        raise ConfigError(f"admin.port: must differ from server.port ({config.port})")
    if config.admin_debug and config.admin_port is None:
        # The debug endpoints are never served on the public listener.
        raise ConfigError("admin.debug: needs admin.port, the listener the endpoints are served on")
    return config


def load(path: str | Path) -> Config:
    """Read and validate a YAML config file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config file: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not valid UTF-8 (byte {e.start})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{path}: invalid YAML{at}") from None
    return parse(data, str(path))


def configure_logging(config: Config) -> None:
    """Apply the config's logging dictConfig, then the log queue; ConfigError if logging refuses.

    With server.log_queue the handlers write on one listener thread; logging.shutdown() (or the
    next configure_logging) writes what is still queued and stops it.
    """
    try:
        logging.config.dictConfig(config.logging)
    except (ValueError, TypeError, AttributeError, ImportError) as e:
        cause = f": {e.__cause__}" if e.__cause__ else ""
        raise ConfigError(f"logging: {e}{cause}".replace("\n", " ")) from None
    if config.log_queue:
        root = [""] if "root" in config.logging else []
        logqueue.install([*root, *config.logging.get("loggers", {})])


def _reject_unknown(mapping: dict[Any, Any], known: set[str], prefix: str) -> None:
    unknown = sorted(str(k) for k in mapping.keys() - known)
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}: unknown key (expected one of {sorted(known)})")


def _coerce(path: str, value: object, typ: type, want: str) -> Any:
    # YAML reads 10 as int, where a float is wanted that is fine; a bool is never a number.
    accepted = (int, float) if typ is float else (typ,)
    if (isinstance(value, bool) and typ is not bool) or not isinstance(value, accepted):
        raise ConfigError(f"{path}: expected {want}, got {value!r}")
    return typ(value)
