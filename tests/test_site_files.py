"""The built site as files: what a reader downloads, what search indexes, where each number comes from."""

import gzip
import json
import re

import catalog
import pytest
from checks.site import ROOT, chapters

LANGUAGES = catalog.site_languages(ROOT)
NOTEBOOK_PAGE_LIMIT = 300_000  # bytes gzipped: a notebook page must load on a phone


def notebook_pages(site):
    return sorted((site / "notebooks").glob("*/*/index.html"))


def test_each_snippet_has_one_notebook_page_in_the_default_language_only(site):
    snippets = sorted(p.relative_to(ROOT / "snippets").with_suffix("").as_posix() for p in (ROOT / "snippets").glob("*/*.py"))
    found = sorted(p.parent.relative_to(site / "notebooks").as_posix() for p in notebook_pages(site))
    assert found == snippets
    for language in LANGUAGES[1:]:
        assert not (site / language.prefix / "notebooks").exists()


def test_each_test_file_has_one_page_in_the_default_language_only(site):
    assert sorted((site / "tests").glob("test_*/index.html"))
    for language in LANGUAGES[1:]:
        assert not (site / language.prefix / "tests").exists()


def test_notebook_pages_are_small_enough_for_a_phone(site):
    sizes = {page.parent.name: len(gzip.compress(page.read_bytes())) for page in notebook_pages(site)}
    assert {name: size for name, size in sizes.items() if size > NOTEBOOK_PAGE_LIMIT} == {}


def test_notebook_downloads_are_the_snippet_and_its_notebook_marked_as_downloads(site):
    for page in notebook_pages(site):
        name = page.parent.relative_to(site / "notebooks").as_posix()
        stem = page.parent.name
        html = page.read_text(encoding="utf-8")
        links = {m["href"]: m[0] for m in re.finditer(r'<a (?=[^>]*href="(?P<href>[^"]+)")[^>]*>', html)}
        for download in (f"{stem}.py", f"{stem}.ipynb"):
            assert "download" in links.get(download, ""), f"{name}: no download link to {download}"
        assert (page.parent / f"{stem}.py").read_bytes() == (ROOT / "snippets" / f"{name}.py").read_bytes()
        book = json.loads((page.parent / f"{stem}.ipynb").read_text(encoding="utf-8"))
        assert book["cells"][0]["cell_type"] == "markdown"


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.locale)
def test_each_language_has_its_own_search_index_of_prose(site, language):
    index = json.loads((site / language.prefix / "search" / "search_index.json").read_text(encoding="utf-8"))
    others = [lang.prefix for lang in LANGUAGES if lang != language and lang.prefix]
    locations = [doc["location"] for doc in index["docs"]]
    assert locations and not any(location.startswith(tuple(others)) for location in locations if others)
    if not language.default:
        assert not any(location.startswith(language.prefix) for location in locations)
    for doc in index["docs"]:
        assert "\u200b" not in doc["title"]
        assert "\\(" not in doc["text"] and "handbookvalue" not in doc["text"] and "\\frac" not in doc["text"]
    # code identifiers the pages explain in prose are found (zero_grad, set_to_none, foreach)
    prose = [re.sub(r"```.*?```", "", source.read_text(encoding="utf-8"), flags=re.S) for source in chapters().values()]
    for identifier in ("zero_grad", "set_to_none", "foreach"):
        if any(f"`{identifier}" in text or f"{identifier}`" in text for text in prose):
            assert any(identifier in doc["text"] for doc in index["docs"]), identifier


VALUE = re.compile(r'<span class="value" (?P<origin>[^>]*)>')


@pytest.mark.parametrize("path", list(chapters()), ids=str)
def test_every_number_a_page_quotes_says_where_it_came_from(site, path):
    html = (site / path / "index.html").read_text(encoding="utf-8")
    for match in VALUE.finditer(html):
        origin = match["origin"]
        assert re.fullmatch(r'data-from="[a-z0-9_]+/[a-z0-9_]+" data-name="[^"]+"|data-(input|constant)="[^"]+"', origin), origin
