"""Every page of the built site, in every language: its internal links, anchors and assets resolve,
and no script it loads holds up its first paint."""

import re

import pytest
from checks.site import SITE, broken_references, parse

PAGES = sorted(SITE.rglob("*.html")) if SITE.is_dir() else []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_every_link_anchor_and_asset_on_the_page_resolves(site, page):
    assert broken_references(page) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_every_script_the_page_loads_from_a_file_is_deferred(site, page):
    scripts = re.findall(r"<script\b[^>]*\bsrc=\"[^\"]+\"[^>]*>", page.read_text(encoding="utf-8"))
    assert scripts and [script for script in scripts if " defer" not in script] == []


def test_the_link_check_finds_a_missing_file_and_a_missing_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h1 id="top">A</h1><a href="#top">ok</a><a href="#nope">x</a>')
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="a/#top">ok</a><a href="b/">x</a><img src="c.svg">')
    assert broken_references(tmp_path / "index.html", tmp_path) == ["b/ (no file b/index.html)", "c.svg (no file c.svg)"]
    assert broken_references(tmp_path / "a" / "index.html", tmp_path) == ["#nope (no anchor #nope)"]
