"""A strict logfmt parser for tests: it refuses anything our renderer must never produce."""

from __future__ import annotations

_SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}


def _forbidden_bare(ch: str) -> bool:
    code = ord(ch)
    return code <= 0x20 or ch in '="' or 0x7F <= code <= 0x9F or ch in "\u2028\u2029"


def parse_logfmt(line: str) -> list[tuple[str, str]]:
    """Parse one logfmt line into (key, value) pairs; ValueError on anything malformed."""
    if any(ch in line for ch in "\n\r"):
        raise ValueError("a logfmt line holds no line breaks")
    pairs: list[tuple[str, str]] = []
    i, n = 0, len(line)
    while i < n:
        start = i
        while i < n and line[i] != "=":
            if _forbidden_bare(line[i]):
                raise ValueError(f"bad key character {line[i]!r} at {i}")
            i += 1
        if i in (start, n):
            raise ValueError(f"expected key= at {start}")
        key = line[start:i]
        i += 1  # the '='
        if i < n and line[i] == '"':
            value, i = _quoted(line, i + 1)
        else:
            start = i
            while i < n and line[i] != " ":
                if _forbidden_bare(line[i]):
                    raise ValueError(f"unquoted value holds {line[i]!r} at {i}")
                i += 1
            value = line[start:i]
        pairs.append((key, value))
        if i < n:
            if line[i] != " " or i + 1 == n:
                raise ValueError(f"expected one space between pairs at {i}")
            i += 1
    return pairs


def _quoted(line: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == '"':
            return "".join(out), i + 1
        if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029":
            raise ValueError(f"raw control character {ch!r} inside quotes at {i}")
        if ch == "\\":
            esc = line[i + 1 : i + 2]
            if esc in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[esc])
                i += 2
            elif esc == "u" and len(line[i + 2 : i + 6]) == 4:
                out.append(chr(int(line[i + 2 : i + 6], 16)))
                i += 6
            else:
                raise ValueError(f"bad escape at {i}")
            continue
        out.append(ch)
        i += 1
    raise ValueError("unterminated quoted value")
