"""The build check behind "numbers are said once": no number typed into a chapter's prose.

It reads a page's Markdown as written, before any shortcode is expanded. A number there is
typed by hand unless it is one of:

* a shortcode (`md:value`, `md:input`, `md:constant`, `md:version`, `md:table`, ...): removed first;
* code: fenced blocks and code spans (`torch.optim.SGD(lr=0.1)` is code, not a claim);
* part of a name: a digit that touches a Latin letter or an underscore (fp32, L2, x0, Linear3)
  or joins one with a hyphen (2-D, 8-bit);
* a reference: an issue or pull request number (#44511), a link's address, an attribute list;
* the math of a formula: a single digit (the 2 of x², the 1 of 1 − β, the digits of \\tfrac12),
  the 10 of a power of ten, or the digits that end a name (\\texttt{triangular2}). Any other number
  in a formula (0.9, 25, an exponent of 12) is a value or an input like any other.

The description in the front matter is prose too. Everything else fails the build, naming the
page, the line and the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.S)
DESCRIPTION = re.compile(r"^description:\s*(?P<text>.*)$", re.M)
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}).*?^(?P=indent)(?P=fence)[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)")
COMMENT = re.compile(r"<!--.*?-->", re.S)
LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
REFERENCE_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M)
ATTRIBUTES = re.compile(r"\{[:#.][^}\n]*\}|\{ [^}\n]*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
ISSUE = re.compile(r"#\d+")
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])(?:[^$\n]|\\\$)+?(?<![\\\s])\$(?!\$)")
# A number: digits with an optional fraction, exponent or thousands separators, not part of a name.
NUMBER = re.compile(
    r"(?<![A-Za-z_\d.])(?<![A-Za-z]-)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-z_\d])(?!-[A-Za-z])"
)
TEX_NUMBER = re.compile(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?(?![\d])")
TEX_FRACTION_DIGITS = re.compile(r"\\[dt]?frac\s*\d\d?")
TEX_POWER_OF_TEN = re.compile(r"(?<![\d.])10(?=\s*\^)")
TEX_NAME = re.compile(r"(?<![\\A-Za-z])[A-Za-z_]+\d+")


@dataclass(frozen=True)
class Typed:
    line: int
    number: str
    text: str  # the line, shortened

    def __str__(self) -> str:
        return f"line {self.line}: {self.number} in “{self.text}”"


def typed_numbers(markdown: str) -> list[Typed]:
    """Every number in `markdown` that is neither a shortcode nor declared, with its line."""
    text = _blank(markdown)
    found = []
    lines = markdown.splitlines()
    for match in NUMBER.finditer(text):
        line = text.count("\n", 0, match.start())
        found.append(Typed(line + 1, match[0], lines[line].strip()[:120] if line < len(lines) else ""))
    return found


def _blank(markdown: str) -> str:
    """The Markdown with everything that is not prose replaced by spaces (line numbers kept)."""

    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match[0])

    front = FRONT_MATTER.match(markdown)
    if front:
        description = DESCRIPTION.search(front["yaml"])
        kept = re.sub(r"[^\n]", " ", front[0])
        if description:  # keep the description's text where it stands
            start = 4 + description.start("text")
            kept = kept[:start] + description["text"] + kept[start + len(description["text"]) :]
        markdown = kept + markdown[front.end() :]
    for pattern in (FENCE, CODE_SPAN):
        markdown = pattern.sub(blank, markdown)
    # Formulas are found while their shortcodes still stand in them ($<!-- md:value ... -->$ is a formula).
    markdown = DISPLAY_MATH.sub(lambda match: _math(COMMENT.sub(blank, match[0])), markdown)
    markdown = INLINE_MATH.sub(lambda match: _math(COMMENT.sub(blank, match[0])), markdown)
    for pattern in (COMMENT, LINK_TARGET, REFERENCE_DEFINITION, ATTRIBUTES, HTML_TAG, ISSUE):
        markdown = pattern.sub(blank, markdown)
    return markdown


def _math(tex: str) -> str:
    """A formula with the numbers that are its math blanked, and the others left to be found."""

    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match[0])

    tex = TEX_FRACTION_DIGITS.sub(blank, tex)
    tex = TEX_POWER_OF_TEN.sub(blank, tex)
    tex = TEX_NAME.sub(blank, tex)  # \texttt{triangular2}: a digit after letters is part of a name
    kept = TEX_NUMBER.sub(lambda match: blank(match) if len(match[0]) == 1 else match[0], tex)
    # what is left must not read as prose: letters and commands become spaces
    return re.sub(r"\\[A-Za-z]+|[^\d.\n]", " ", kept)


# ---------------------------------------------------------------------------------------------
# In the build: check each chapter page, and report what each one quotes and declares.

SHORTCODE_KIND = re.compile(r"<!-- md:(?P<kind>value|input|constant|version|table) ")
REPORT: dict[str, dict[str, int]] = {}  # page -> {"from a run": n, "input": n, "constant": n, "table": n}


def check(markdown: str, page) -> None:
    """Fail the build on a number typed into the page; count its quoted and declared ones."""
    from mkdocs.exceptions import PluginError

    typed = typed_numbers(markdown)
    if typed:
        shown = "\n  ".join(str(number) for number in typed[:12])
        more = f"\n  ... and {len(typed) - 12} more" if len(typed) > 12 else ""
        raise PluginError(
            f"{page.file.src_uri}: {len(typed)} number(s) typed by hand. Quote the run "
            "(<!-- md:value SNIPPET:NAME -->), or declare an input (<!-- md:input SNIPPET:CONSTANT -->) or a "
            f"constant of torch (<!-- md:constant SNIPPET:NAME -->; hooks/typed_numbers.py says what counts):\n  {shown}{more}"
        )
    counts = {"from a run": 0, "input": 0, "constant": 0, "table": 0}
    names = {"value": "from a run", "input": "input", "constant": "constant", "version": "constant", "table": "table"}
    for match in SHORTCODE_KIND.finditer(markdown):
        counts[names[match["kind"]]] += 1
    REPORT[page.file.src_uri] = counts


def log_report(log) -> None:
    totals = {key: sum(counts[key] for counts in REPORT.values()) for key in ("from a run", "input", "constant", "table")}
    log.info(
        f"numbers on {len(REPORT)} pages: {totals['from a run']} quoted from runs, {totals['table']} tables of run values, "
        f"{totals['input']} inputs and {totals['constant']} torch constants declared, 0 typed by hand"
    )


if __name__ == "__main__":  # python hooks/typed_numbers.py docs/page.md ...: the check, without a build
    import sys

    failed = 0
    for name in sys.argv[1:]:
        from pathlib import Path

        found = typed_numbers(Path(name).read_text(encoding="utf-8"))
        failed += len(found)
        print(f"{name}: {len(found)} typed number(s)")
        for number in found:
            print(f"  {number}")
    sys.exit(1 if failed else 0)
