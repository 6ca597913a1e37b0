"""The hash of everything a build of the site is made from, written into the site it builds.

A check of site/ that passes against a build of other sources proves nothing: tests/conftest.py
compares site/.stamp with the sources as they are, and fails with a clear message when they
differ. pytest's report carries the same hash, so a build shows test results only for its own
sources (hooks/claims.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# What the site is built from (relative to the project root); .cache/ and site/ are outputs.
SOURCES = ("docs", "snippets", "tests", "hooks", "text", "overrides", "mkdocs.yml", "requirements.txt", "package-lock.json")
IGNORED_PARTS = {"__pycache__", ".pytest_cache"}
STAMP = ".stamp"


def sources_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path] if path.is_file() else []
        for file in files:
            if IGNORED_PARTS & set(file.relative_to(root).parts) or file.suffix == ".pyc":
                continue
            digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def write(site_dir: Path, root: Path) -> None:
    (site_dir / STAMP).write_text(sources_hash(root) + "\n")


def problem(site_dir: Path, root: Path) -> str | None:
    """Why site/ is not the build of these sources, or None when it is."""
    if not (site_dir / "index.html").is_file():
        return f"{site_dir} is not built: run `make site` (or `make test`, which builds it first)"
    built = (site_dir / STAMP).read_text().strip() if (site_dir / STAMP).is_file() else "none"
    if built != sources_hash(root):
        return f"{site_dir} was built from other sources than these (stamp {built[:12]}): run `make site` again"
    return None
