"""Every internal link, anchor and asset in the built site resolves, in both languages."""

import html.parser
import posixpath
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

SITE = Path(__file__).resolve().parent.parent / "site"
PAGES = sorted(SITE.rglob("*.html")) if SITE.is_dir() else []


class References(html.parser.HTMLParser):
    """The ids a page defines and the URLs it references."""

    def __init__(self):
        super().__init__()
        self.ids, self.urls = set(), []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("id", "name"):
            if attributes.get(name):
                self.ids.add(attributes[name])
        for name in ("href", "src"):
            if attributes.get(name) and not (tag == "link" and attributes.get("rel") in ("canonical",)):
                self.urls.append(attributes[name])


@cache
def parse(path: Path) -> References:
    references = References()
    references.feed(path.read_text(encoding="utf-8"))
    return references


def target_file(page: Path, url: str) -> tuple[Path, str] | None:
    """The file a relative URL points at and its fragment; None for a URL that leaves the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")):
        return None
    path = unquote(parts.path)
    base = "" if path.startswith("/") else page.parent.relative_to(SITE).as_posix()  # "/x": the site root
    target = SITE / posixpath.normpath(posixpath.join(base, path.lstrip("/"))) if path else page
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def broken_references(page: Path) -> list[str]:
    broken = []
    for url in parse(page).urls:
        resolved = target_file(page, url)
        if resolved is None:
            continue
        target, fragment = resolved
        if not target.is_file():
            broken.append(f"{url} (no file {target.relative_to(SITE) if target.is_relative_to(SITE) else target})")
        elif fragment and target.suffix == ".html" and fragment not in parse(target).ids:
            broken.append(f"{url} (no anchor #{fragment})")
    return broken


def test_the_site_is_built_in_both_languages():
    assert (SITE / "index.html").is_file() and (SITE / "zh" / "index.html").is_file(), "run `make site` first"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_every_link_anchor_and_asset_on_the_page_resolves(page):
    assert broken_references(page) == []


def test_the_link_check_finds_a_missing_file_and_a_missing_anchor(tmp_path, monkeypatch):
    monkeypatch.setattr(__import__(__name__), "SITE", tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h1 id="top">A</h1><a href="#top">ok</a><a href="#nope">x</a>')
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="a/#top">ok</a><a href="b/">x</a><img src="c.svg">')
    parse.cache_clear()
    assert broken_references(tmp_path / "index.html") == ["b/ (no file b/index.html)", "c.svg (no file c.svg)"]
    assert broken_references(tmp_path / "a" / "index.html") == ["#nope (no anchor #nope)"]
    parse.cache_clear()
