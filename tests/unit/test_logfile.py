"""RotatingFile: every line once, rotation at maxBytes, never for a file that is not regular."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from taskservice.utils.logfile import RotatingFile


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, message, (), None)


def _handler(path: Path, **kwargs: object) -> RotatingFile:
    handler = RotatingFile(str(path), encoding="utf-8", **kwargs)
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def test_each_record_is_written_once_and_flushed(tmp_path: Path) -> None:
    handler = _handler(tmp_path / "a.log")
    for n in range(3):
        handler.handle(_record(f"line {n}"))
        assert (tmp_path / "a.log").read_text().splitlines()[-1] == f"line {n}"
    handler.close()
    assert (tmp_path / "a.log").read_text() == "line 0\nline 1\nline 2\n"


def test_file_rotates_before_a_line_would_cross_max_bytes(tmp_path: Path) -> None:
    handler = _handler(tmp_path / "a.log", maxBytes=20, backupCount=2)
    for n in range(5):
        handler.handle(_record(f"line-{n}---"))  # 11 bytes with the newline
    handler.close()
    assert (tmp_path / "a.log").read_text() == "line-4---\n"
    assert (tmp_path / "a.log.1").read_text() == "line-3---\n"
    assert (tmp_path / "a.log.2").read_text() == "line-2---\n"


def test_size_counts_bytes_of_non_ascii_lines(tmp_path: Path) -> None:
    handler = _handler(tmp_path / "a.log", maxBytes=30, backupCount=1)
    handler.handle(_record("ééééééé"))  # 8 characters, 15 bytes
    handler.handle(_record("ééééééé"))  # 30 bytes in all: rotates first
    handler.close()
    assert (tmp_path / "a.log").read_text(encoding="utf-8") == "ééééééé\n"
    assert (tmp_path / "a.log.1").exists()


def test_size_of_an_existing_file_counts_towards_rotation(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("x" * 15 + "\n")
    handler = _handler(tmp_path / "a.log", maxBytes=20, backupCount=1)
    handler.handle(_record("more"))
    handler.close()
    assert (tmp_path / "a.log").read_text() == "more\n"
    assert (tmp_path / "a.log.1").read_text() == "x" * 15 + "\n"


def test_delayed_open_creates_the_file_on_the_first_line(tmp_path: Path) -> None:
    handler = _handler(tmp_path / "a.log", delay=True, maxBytes=100)
    assert not (tmp_path / "a.log").exists()
    handler.handle(_record("first"))
    handler.close()
    assert (tmp_path / "a.log").read_text() == "first\n"


def test_a_file_that_is_not_regular_never_rotates(tmp_path: Path) -> None:
    handler = _handler(Path("/dev/null"), maxBytes=1, backupCount=1)
    handler.handle(_record("gone"))
    handler.handle(_record("gone again"))
    handler.close()
    assert Path("/dev/null").exists()
    assert not Path("/dev/null.1").exists()


def test_without_flush_each_lines_wait_for_flush(tmp_path: Path) -> None:
    handler = _handler(tmp_path / "a.log")
    handler.flush_each = False
    handler.handle(_record("buffered"))
    assert (tmp_path / "a.log").read_text() == ""
    handler.flush()
    assert (tmp_path / "a.log").read_text() == "buffered\n"
    handler.close()


def test_a_write_error_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = _handler(tmp_path / "a.log")
    errors: list[logging.LogRecord] = []
    monkeypatch.setattr(handler, "handleError", errors.append)
    assert handler.stream is not None
    handler.stream.close()
    handler.handle(_record("lost"))
    assert [r.getMessage() for r in errors] == ["lost"]
