"""Writing files that a concurrent build or an interrupted one may also be reading."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> bool:
    """Write `data` to `path` through a temporary file and a rename, so that a reader sees the old
    bytes or the new ones, never half of them. Returns False (and writes nothing) when the file
    already holds exactly these bytes, so that watchers and caches keyed by mtime stay quiet."""
    data = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return True
