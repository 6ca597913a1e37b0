"""A temporary copy of the project for the benchmarks to edit and build: the tracked files are
never touched (make bench and make mutants both work in one)."""

import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def temporary_copy(names, prefix: str) -> Path:
    """A new folder holding a copy of each of these top-level files and folders of the project."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, folder / name)
    return folder
