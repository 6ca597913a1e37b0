"""MkDocs hooks for `make bench` only: the "plain" build, the same pages without the pipeline.

Two hook files in one module, told apart by PLAIN_BUILD in the environment:
* materialize (added after the project's hooks in a normal build): writes every page's final
  Markdown (shortcodes expanded, claim badges in place) and the docs/ assets to
  .cache/bench/docs/, and every generated file (executed notebooks, test-source pages, figures,
  downloads) with its language to .cache/bench/generated/, listed in manifest.json;
* plain (PLAIN_BUILD=1, in place of the snippet, claim and shortcode hooks): publishes those
  generated files again, as they are, the way the pipeline publishes them (hooks/overlay.py).
The plain build so renders the same pages as the real one, running no snippet cache, claim index
or shortcode expansion: what MkDocs itself costs.
"""

import json
import os
import shutil
from pathlib import Path

import overlay
import yaml
from mkdocs.plugins import event_priority

PLAIN = os.environ.get("PLAIN_BUILD") == "1"


def bench_dir(config) -> Path:
    return overlay.project_root(config) / ".cache" / "bench"


def language(config) -> str:
    i18n = config.plugins.get("i18n")
    return i18n.current_language if i18n else "en"


@event_priority(-1000)  # after every other on_files: the generated files are in
def on_files(files, config):
    if PLAIN:
        return publish_generated(files, config)
    generated_root = overlay.project_root(config) / ".cache" / "overlay"
    manifest_path = bench_dir(config) / "generated" / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    entries = manifest.setdefault(language(config), [])
    for file in files:
        source = Path(file.abs_src_path)
        if source.is_relative_to(generated_root):
            kind = "page" if isinstance(file, overlay.GeneratedPage) else "localized" if hasattr(file, "alternates") else "shared"
            entries.append({"src_uri": file.src_uri, "kind": kind})
            destination = bench_dir(config) / "generated" / language(config) / file.src_uri
        elif file.src_uri.endswith(".md"):
            continue  # written below, once expanded
        else:
            destination = bench_dir(config) / "docs" / file.src_uri
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest))
    return files


def publish_generated(files, config):
    """The plain build: the generated files, published as the pipeline publishes them."""
    manifest = json.loads((bench_dir(config) / "generated" / "manifest.json").read_text())
    for entry in manifest[language(config)]:
        content = (bench_dir(config) / "generated" / language(config) / entry["src_uri"]).read_bytes()
        if entry["kind"] == "page":
            overlay.publish_page(files, config, entry["src_uri"], content)
        else:
            overlay.publish(files, config, entry["src_uri"], content, localized=entry["kind"] == "localized")
    return files


@event_priority(-1000)  # after every other hook has rewritten the Markdown
def on_page_markdown(markdown, page, config, files):
    if PLAIN or isinstance(page.file, overlay.GeneratedPage):
        return markdown
    front_matter = f"---\n{yaml.safe_dump(page.meta, allow_unicode=True)}---\n\n" if page.meta else ""
    destination = bench_dir(config) / "docs" / page.file.src_uri
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(front_matter + markdown, encoding="utf-8")
    return markdown
