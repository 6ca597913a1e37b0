"""Every language's edition comes from one source of truth: each page has a twin in every language
with the same claims, values, formulas, snippets and figures, and every language has a complete
text catalog (the languages are those of mkdocs.yml, read by hooks/catalog.py)."""

import re

import catalog
import pytest
from checks.site import ROOT, language_of, twins

DOCS = ROOT / "docs"
LANGUAGES = catalog.site_languages(ROOT)
DEFAULT, OTHERS = LANGUAGES[0], LANGUAGES[1:]
ORIGINALS = sorted(p for p in DOCS.rglob("*.md") if language_of(p).default)
TRANSLATIONS = sorted(p for p in DOCS.rglob("*.md") if not language_of(p).default)

SHORTCODE = re.compile(r"<!-- md:(?!cite)[a-z-]+ ?[^>]*?-->")  # every form but citations
HEADER = re.compile(r'\s+header\.\w+=(?:"[^"]*"|\S+)')  # a table's column labels are in the page's language


def shortcodes(text: str) -> list[str]:
    return sorted(HEADER.sub("", code) for code in SHORTCODE.findall(text))
FIGURE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)")  # alt text may hold [ ]
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")
DATA_ATTRIBUTE = re.compile(r'data-[a-z-]+="[^"]*"')


def tex(text: str) -> list[str]:
    """Display formulas in order, then the inline ones sorted (word order differs between languages)."""
    without_code = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.S)
    display = DISPLAY_MATH.findall(without_code)
    inline = INLINE_MATH.findall(DISPLAY_MATH.sub("", without_code))
    return [block.strip() for block in display] + sorted(inline)


def parity(original: str, translation: str) -> dict[str, tuple[list, list]]:
    """What each edition holds that must be the same in both: block forms in order, the rest sorted
    (a sentence may put its values in another order)."""
    checks = {
        "shortcodes (claims, values, snippets, tables)": shortcodes,
        "figures": FIGURE.findall,
        "TeX": tex,
        "data attributes (widgets)": DATA_ATTRIBUTE.findall,
    }
    return {name: (find(original), find(translation)) for name, find in checks.items()}


def ids(path):
    return path.relative_to(DOCS).as_posix()


def test_the_site_has_more_than_one_language_and_pages_in_each():
    assert OTHERS and ORIGINALS and TRANSLATIONS


@pytest.mark.parametrize("page", ORIGINALS, ids=ids)
def test_every_page_has_a_twin_in_every_language(page):
    missing = [str(path.relative_to(ROOT)) for path in twins(page).values() if not path.is_file()]
    assert missing == []


@pytest.mark.parametrize("page", TRANSLATIONS, ids=ids)
def test_every_translation_has_an_original(page):
    assert twins(page)[DEFAULT.locale].is_file()


@pytest.mark.parametrize("page", ORIGINALS, ids=ids)
def test_twins_share_claims_values_formulas_snippets_and_figures(page):
    original = page.read_text(encoding="utf-8")
    for locale, twin in twins(page).items():
        if locale == DEFAULT.locale or not twin.is_file():
            continue
        for name, (expected, found) in parity(original, twin.read_text(encoding="utf-8")).items():
            assert expected == found, f"{name} differ between {page.name} and {twin.name}"


def test_the_parity_check_catches_a_changed_formula_claim_value_snippet_or_figure():
    english = (
        "A $x^2$ of <!-- md:value a/b:c -->. <!-- md:claim a-b -->\n<!-- md:snippet c/d -->\n"
        "![x](figures/c/d/e.svg)\n$$\ny = 1\n$$\n"
    )
    assert all(a == b for a, b in parity(english, english).values())
    for broken in [
        english.replace("x^2", "x^3"),
        english.replace("a-b", "a-c"),
        english.replace("c/d -->", "c/e -->"),
        english.replace("d/e.svg", "d/f.svg"),
        english.replace("y = 1", "y = 2"),
        english.replace("a/b:c", "a/b:d"),
    ]:
        assert any(a != b for a, b in parity(english, broken).values())


def test_every_nav_title_is_translated_in_every_language():
    config = catalog.load_config(ROOT)
    i18n = config.plugins["i18n"]

    def titles(items):
        for item in items:
            if isinstance(item, dict):
                for title, value in item.items():
                    yield title
                    if isinstance(value, list):
                        yield from titles(value)

    for language in i18n.config.languages:
        if language.default:
            continue
        missing = [title for title in titles(config["nav"]) if title not in (language.nav_translations or {})]
        assert missing == [], language.locale


def test_every_language_has_a_complete_text_catalog():
    catalog.check_complete(catalog.load_config(ROOT), ROOT)
