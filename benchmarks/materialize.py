"""MkDocs hook for `make bench` only: write the pages the handbook's hooks produce as plain sources.

Added after the project's hooks, it copies every page's final Markdown (shortcodes expanded, claim
badges in place), every generated page (executed notebooks, test sources) and every generated asset
into .cache/bench/docs/, in mkdocs-static-i18n's suffix layout. Building that folder without the
snippet, claim and shortcode hooks is the "plain" build: the same pages, none of the pipeline.
"""

import shutil
from pathlib import Path, PurePosixPath

import overlay
import yaml
from mkdocs.plugins import event_priority


def target(config, file) -> Path:
    """Where `file` goes in the plain tree; a generated file of the Chinese build gets the .zh suffix."""
    path = PurePosixPath(file.src_uri)
    generated = Path(file.abs_src_path).is_relative_to(overlay.project_root(config) / ".cache" / "overlay")
    language = file.dest_uri.split("/")[0]
    if generated and language in ("zh",):  # docs/ files keep their own suffix
        path = path.with_name(f"{path.stem}.{language}{path.suffix}")
    return overlay.project_root(config) / ".cache" / "bench" / "docs" / path


@event_priority(-1000)  # after every other on_files: the generated files are in
def on_files(files, config):
    for file in files:
        if not file.src_uri.endswith(".md"):  # Markdown pages are written below, once expanded
            destination = target(config, file)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file.abs_src_path, destination)
    return files


@event_priority(-1000)  # after every other hook has rewritten the Markdown
def on_page_markdown(markdown, page, config, files):
    front_matter = f"---\n{yaml.safe_dump(page.meta, allow_unicode=True)}---\n\n" if page.meta else ""
    destination = target(config, page.file)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(front_matter + markdown, encoding="utf-8")
    return markdown
