"""The two editions come from one source of truth: every page has a twin with the same claims,
the same formulas, the same snippets and figures (tests/test_site_browser.py checks search)."""

import re
from pathlib import Path

import pytest
from mkdocs.utils.yaml import yaml_load

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ENGLISH = sorted(p for p in DOCS.rglob("*.md") if not p.name.endswith(".zh.md"))
CHINESE = sorted(DOCS.rglob("*.zh.md"))

CLAIM = re.compile(r"<!-- md:claim ([^ ]+) -->")
SHORTCODE = re.compile(r"<!-- md:(?:snippet|output) [^ ]+ -->")
FIGURE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)")  # alt text may hold [ ]
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")
DATA_ATTRIBUTE = re.compile(r'data-[a-z-]+="[^"]*"')


def twin(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".md") + ".zh.md")


def tex(text: str) -> list[str]:
    """Display formulas in order, then the inline ones sorted (word order differs between languages)."""
    without_code = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.S)
    display = DISPLAY_MATH.findall(without_code)
    inline = INLINE_MATH.findall(DISPLAY_MATH.sub("", without_code))
    return [block.strip() for block in display] + sorted(inline)


def parity(english: str, chinese: str) -> dict[str, tuple[list, list]]:
    """What each edition holds that must be the same in both."""
    checks = {
        "claim ids": CLAIM.findall,
        "snippet shortcodes": SHORTCODE.findall,
        "figures": FIGURE.findall,
        "TeX": tex,
        "data attributes (widgets)": DATA_ATTRIBUTE.findall,
    }
    return {name: (find(english), find(chinese)) for name, find in checks.items()}


def test_the_site_has_both_editions():
    assert ENGLISH and CHINESE


@pytest.mark.parametrize("page", ENGLISH, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_english_page_has_a_chinese_twin(page):
    assert twin(page).is_file(), f"{page.relative_to(ROOT)} has no Chinese twin {twin(page).name}"


@pytest.mark.parametrize("page", CHINESE, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_chinese_page_has_an_english_original(page):
    assert page.with_name(page.name.replace(".zh.md", ".md")).is_file()


@pytest.mark.parametrize("page", [p for p in ENGLISH if twin(p).is_file()], ids=lambda p: p.relative_to(DOCS).as_posix())
def test_twins_share_claims_formulas_snippets_and_figures(page):
    for name, (english, chinese) in parity(page.read_text(), twin(page).read_text()).items():
        assert english == chinese, f"{name} differ between {page.name} and {twin(page).name}"


def test_the_parity_check_catches_a_changed_formula_claim_snippet_or_figure():
    english = "A $x^2$. <!-- md:claim a-b -->\n<!-- md:snippet c/d -->\n![x](figures/c/d-1.svg)\n$$\ny = 1\n$$\n"
    assert all(a == b for a, b in parity(english, english).values())
    for broken in [
        english.replace("x^2", "x^3"),
        english.replace("a-b", "a-c"),
        english.replace("c/d -->", "c/e -->"),
        english.replace("d-1.svg", "d-2.svg"),
        english.replace("y = 1", "y = 2"),
    ]:
        assert any(a != b for a, b in parity(english, broken).values())


def test_every_nav_title_has_a_chinese_translation():
    with open(ROOT / "mkdocs.yml", "rb") as file:
        config = yaml_load(file)
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    translations = next(lang["nav_translations"] for lang in i18n["languages"] if lang["locale"] == "zh")

    def titles(items):
        for item in items:
            if isinstance(item, dict):
                for title, value in item.items():
                    yield title
                    if isinstance(value, list):
                        yield from titles(value)

    missing = [title for title in titles(config["nav"]) if title not in translations]
    assert missing == []
