"""The languages of the site and the words the build puts on its pages, one catalog per language.

The languages are those of the i18n plugin in mkdocs.yml; each has a catalog `text/<locale>.yml`
holding every word a hook, a template or a script of the site shows (the scripts get its `js`
part as JSON in each page). Adding a language is a catalog, page twins and a line in mkdocs.yml.

mkdocs.yml is read one way everywhere, with MkDocs' own loader (`load_config`): the build, the
tests and the benchmarks see the same configuration.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Language:
    locale: str
    default: bool
    build: bool = True  # False when `make serve LANGUAGE=en` builds only the default language

    @property
    def prefix(self) -> str:
        """Where its pages live in the site: '' for the default language, 'zh/' for the others."""
        return "" if self.default else f"{self.locale}/"

    @property
    def suffix(self) -> str:
        """How its page twins are named: 'page.md' for the default language, 'page.zh.md' for zh."""
        return ".md" if self.default else f".{self.locale}.md"


def load_config(root: Path = ROOT, **overrides):
    """mkdocs.yml as MkDocs reads it (plugins and hooks loaded), for code that is not the build."""
    from mkdocs.config import load_config as mkdocs_load_config

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    return mkdocs_load_config(str(root / "mkdocs.yml"), **overrides)


def languages(config) -> list[Language]:
    """The site's languages, the default first, from the i18n plugin's configuration: all of them
    (their page twins exist whether or not this build builds them; see `built`)."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return [Language(config.theme.get("language", "en") or "en", True)]
    found = [Language(lang.locale, bool(lang.default), bool(lang.build)) for lang in i18n.config.languages if lang.locale != "null"]
    return sorted(found, key=lambda lang: not lang.default)


def built(config) -> list[Language]:
    """The languages this build builds."""
    return [language for language in languages(config) if language.build]


@functools.cache
def site_languages(root: Path = ROOT) -> tuple[Language, ...]:
    """The languages of the project at `root` (for tests and scripts)."""
    return tuple(languages(load_config(root)))


def page_locale(page, config) -> str:
    """The language of the page being built."""
    locale = getattr(page.file, "locale", None)
    return locale or languages(config)[0].locale


_PROJECT = [ROOT]  # the project being built (the tests build temporary ones)


def use_project(root: Path) -> None:
    """Read catalogs from this project's text/ from now on (hooks/handbook.py, at each build)."""
    _PROJECT[0] = root
    catalog.cache_clear()


@functools.cache
def catalog(locale: str, root: Path | None = None) -> dict:
    path = (root or _PROJECT[0]) / "text" / f"{locale}.yml"
    if not path.is_file():
        raise PluginError(f"no text catalog for language '{locale}': write text/{locale}.yml (copy text/en.yml)")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def words(locale: str, key: str, root: Path | None = None, **fields) -> str:
    """The catalog entry `key` ("claim.badge") in `locale`, with `fields` filled in."""
    entry = catalog(locale, root)
    for part in key.split("."):
        if not isinstance(entry, dict) or part not in entry:
            raise PluginError(f"text/{locale}.yml has no entry '{key}' (every catalog has the keys of text/en.yml)")
        entry = entry[part]
    return entry.format(**fields) if fields else entry


def keys(entry: dict, prefix: str = "") -> set[str]:
    """Every key of a catalog, dotted ("claim.badge")."""
    found = set()
    for key, value in entry.items():
        found |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return found


def check_complete(config, root: Path | None = None) -> None:
    """Every language's catalog has exactly the keys of the default language's."""
    default, *others = languages(config)
    expected = keys(catalog(default.locale, root))
    for language in others:
        found = keys(catalog(language.locale, root))
        if found != expected:
            missing, extra = sorted(expected - found), sorted(found - expected)
            raise PluginError(f"text/{language.locale}.yml differs from text/{default.locale}.yml: missing {missing}, extra {extra}")
