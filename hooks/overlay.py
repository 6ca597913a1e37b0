"""Files the build generates, kept outside docs/ and published as ordinary MkDocs files.

Generated files live under <project>/.cache/overlay/ (writing into docs/ would make
`mkdocs serve` rebuild forever). A file is rewritten only when its bytes change.

Two kinds:
* assets (figures, notebook downloads): one copy at the site root, shared by every language;
* pages (executed notebooks, test sources): in the language being built. mkdocs-static-i18n only
  localizes files inside docs/, so the hook that publishes pages runs after it
  (`@event_priority(-200)`) and gives each page its language's prefix (`zh/...`) and the
  `alternates` the language switcher reads.
"""

from pathlib import Path
from types import SimpleNamespace

from files import write_atomic
from mkdocs.structure.files import File, Files


class GeneratedPage(File):
    """A generated page of any extension (an .ipynb is rendered by mkdocs-jupyter)."""

    def is_documentation_page(self) -> bool:
        return True


def project_root(config) -> Path:
    """The folder holding mkdocs.yml: snippets/, tests/ and .cache/ are found from it."""
    return Path(config.config_file_path).resolve().parent


def _write(config, site_path: str, content: str | bytes) -> Path:
    overlay = project_root(config) / ".cache" / "overlay"
    write_atomic(overlay / site_path, content)  # unchanged bytes are not rewritten: serve stays quiet
    return overlay


def publish(files: Files, config, site_path: str, content: str | bytes) -> File:
    """An asset at `site_path`, shared by all languages."""
    overlay = _write(config, site_path, content)
    file = File(site_path, str(overlay), config["site_dir"], config["use_directory_urls"])
    files.append(file)
    return file


def publish_page(files: Files, config, site_path: str, content: str | bytes, alternates: dict[str, str] | None = None) -> File:
    """A page built from `site_path` in the language being built (call after i18n's on_files).
    `alternates` (language -> URL) says where the language switcher leads from it, when the page
    does not exist in every language (a notebook page leads to the chapter that shows it)."""
    overlay = _write(config, site_path, content)
    page = GeneratedPage(site_path, str(overlay), config["site_dir"], config["use_directory_urls"])
    _localize(page, config, alternates or {})
    files.append(page)
    return page


def _localize(file: File, config, alternates: dict[str, str]) -> None:
    """Give `file` the language prefix of the build, and the alternates i18n's switcher reads."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return
    base = file.dest_uri
    prefix = {lang: "" if lang == i18n.default_language else f"{lang}/" for lang in i18n.build_languages}
    file.dest_uri = prefix[i18n.current_language] + base
    file.locale = file.locale_alternate_of = i18n.current_language
    file.alternates = {
        lang: SimpleNamespace(url=alternates.get(lang, (prefix[lang] + base).removesuffix("index.html")))
        for lang in i18n.build_languages
    }
