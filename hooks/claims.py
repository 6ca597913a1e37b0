"""Claims: each `<!-- md:claim ID -->` becomes a badge tied to the test that checks it.

The badge carries data-claim="ID" and data-test="<pytest node id>" and links to the test's section
in the site's copy of its test file (tests/<module>/). A claim that no test declares stops the
build. `<!-- md:claims-ledger -->` lists every claim of the site in the order of the nav, each with
its test: the same data as the badges, so the ledger cannot go stale.

Whether the tests passed is known only from a test run. `make test` leaves pytest's JUnit report
(.cache/test-results.xml) and beside it the hash of the sources it ran against (.sources,
hooks/stamp.py); when that hash is this build's, the ledger and the test pages show each test's
outcome, and otherwise they say that the tests were not run with this build.
"""

from __future__ import annotations

import html
import posixpath
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import catalog
import claim_index
import overlay
import stamp
from mkdocs.exceptions import PluginError
from shortcodes import Context, shortcode

RESULTS_FILE = Path(".cache") / "test-results.xml"
DECLARED: dict[str, list[claim_index.TestRef]] = {}


@dataclass
class TestRun:
    """The outcomes of the test run whose report matches this build's sources (if any)."""

    found: bool = False
    when: str = ""
    outcomes: dict[str, str] = field(default_factory=dict)  # "tests/test_x.py::test_y" -> "passed" | "failed" | "skipped"

    def outcome(self, ref: claim_index.TestRef) -> str:
        """passed, failed, skipped, or "" when the run did not include the test."""
        cases = [o for nodeid, o in self.outcomes.items() if nodeid == ref.nodeid or nodeid.startswith(f"{ref.path}::{ref.name}[")]
        if ref.case:
            cases = [o for nodeid, o in self.outcomes.items() if nodeid == ref.nodeid] or cases
        if not cases:
            return ""
        return "failed" if "failed" in cases else ("passed" if "passed" in cases else "skipped")


RUN = TestRun()


def load_test_run(root: Path) -> TestRun:
    path = root / RESULTS_FILE
    if not path.is_file():
        return TestRun()
    sources = path.with_suffix(".sources")  # written beside the report by tests/conftest.py
    if not sources.is_file() or sources.read_text().strip() != stamp.sources_hash(root):
        return TestRun()  # a report of other sources says nothing about this build
    try:
        suite = ElementTree.parse(path).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        suite.get("timestamp")
    except (ElementTree.ParseError, AttributeError):
        return TestRun()
    outcomes = {}
    for case in suite.iter("testcase"):
        module = case.get("classname", "").split(".")
        while module and not (root / Path(*module).with_suffix(".py")).is_file():
            module = module[:-1]  # classname holds the class too: tests.test_x.TestY
        if not module:
            continue
        prefix = "/".join(module) + ".py::" + "::".join(case.get("classname").split(".")[len(module) :] + [case.get("name")])
        failed = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        outcomes[prefix] = "failed" if failed else ("skipped" if skipped else "passed")
    return TestRun(True, suite.get("timestamp", "")[:16].replace("T", " "), outcomes)


def on_config(config):
    root = overlay.project_root(config)
    DECLARED.clear()
    DECLARED.update(claim_index.declared(root / "tests"))
    global RUN
    RUN = load_test_run(root)


def publish_test_pages(files, config):
    """One page per test file that declares a claim: its tests as this build has them. Like the
    notebooks, in the default language only (a test is code); the badges of every language link
    there, and the language switcher leads from it to that language's claims ledger."""
    root = overlay.project_root(config)
    default = catalog.languages(config)[0]
    i18n = config.plugins.get("i18n")
    if i18n is not None and i18n.current_language != default.locale:
        return
    ledgers = {lang.locale: f"{lang.prefix}claims/" for lang in catalog.built(config) if not lang.default}
    for path in sorted({ref.path for refs in DECLARED.values() for ref in refs}):
        module = posixpath.splitext(posixpath.basename(path))[0]
        overlay.publish_page(files, config, f"tests/{module}.md", test_page(root, path, default.locale), ledgers)


def test_page(root: Path, path: str, locale: str) -> str:
    """The test file, one section per test (anchored by its name), each included from the file
    itself with its line numbers, and the outcome of the test run when this build has one."""
    claims_of = {}
    for claim, refs in DECLARED.items():
        for ref in refs:
            claims_of.setdefault(ref.name.split("::")[0], []).append(claim)
    intro = catalog.words(locale, "tests.intro")
    parts = [f"---\ntitle: {path}\nsearch:\n  exclude: true\n---\n\n# `{path}`\n\n{intro} {run_summary(locale)}\n"]
    for name, first, last in claim_index.test_sections(root / path):
        if name:
            parts.append(f"## `{name}` {{ #{name} }}\n")
            if RUN.found:
                ref = claim_index.TestRef(path, name, first)
                outcome = RUN.outcome(ref) or "absent"
                parts.append(catalog.words(locale, f"tests.outcome.{outcome}") + "\n")
        parts.append(f'```python linenums="{first}"\n--8<-- "{path}:{first}:{last}"\n```\n')
    return "\n".join(parts)


def run_summary(locale: str) -> str:
    if not RUN.found:
        return catalog.words(locale, "tests.not_run")
    return catalog.words(locale, "tests.run", when=RUN.when)


def _test_of(claim: str, context: Context) -> claim_index.TestRef:
    refs = DECLARED.get(claim)
    if not refs:
        raise PluginError(
            f"{context.where}: claim '{claim}' is declared by no test. "
            f'Add @pytest.mark.claim("{claim}") to the test that checks it.'
        )
    return refs[0]


def _link(ref: claim_index.TestRef, context: Context) -> str:
    """The URL of the test's section on its test page (at the site root, whatever the page's language)."""
    module = posixpath.splitext(posixpath.basename(ref.path))[0]
    return posixpath.relpath(f"tests/{module}/", context.page.url or ".") + f"/#{ref.anchor}"


@shortcode("claim", "<!-- md:claim ID -->")
def badge(args: list[str], context: Context) -> str:
    if len(args) != 1:
        raise ValueError("give one claim id")
    claim = args[0]
    ref = _test_of(claim, context)
    locale = catalog.page_locale(context.page, context.config)
    label = catalog.words(locale, "claim.badge")
    tooltip = catalog.words(locale, "claim.tooltip", test=ref.nodeid)
    context.notes.setdefault("claims", []).append(claim)
    # Raw HTML: the test page exists in the default language's build only, where MkDocs cannot see
    # it from another language's pages; tests/test_links.py checks every link of the built site.
    return (
        f'<a class="claim" href="{_link(ref, context)}" data-claim="{claim}" data-test="{ref.nodeid}" '
        f'title="{html.escape(tooltip, quote=True)}">{html.escape(label)}</a>'
    )


@shortcode("claim-example", "<!-- md:claim-example -->")
def example_badge(args: list[str], context: Context) -> str:
    """What a badge looks like, for the pages that explain them."""
    return f'<span class="claim">{catalog.words(catalog.page_locale(context.page, context.config), "claim.badge")}</span>'


@shortcode("claims-ledger", "<!-- md:claims-ledger -->", block=True)
def ledger(args: list[str], context: Context) -> str:
    config = context.config
    languages = catalog.languages(config)
    locale = catalog.page_locale(context.page, config)
    language = next(lang for lang in languages if lang.locale == locale)
    others = tuple(lang.suffix for lang in languages if not lang.default)
    found = claim_index.statements(overlay.project_root(config) / "docs", language.suffix, others)
    order = {page: index for index, page in enumerate(nav_pages(config["nav"]))}
    pages = sorted(dict.fromkeys((s.page, s.title) for s in found), key=lambda page: order.get(page[0], len(order)))
    here = posixpath.dirname(context.page.file.src_uri)
    counts = {"passed": 0, "failed": 0}
    lines = []
    for source, title in pages:
        claims = [s for s in found if s.page == source]
        # Folded: a closed block is not laid out, and hundreds of entries full of formulas made the
        # page slow to become responsive on a phone. The reader opens the chapter they want.
        folded = catalog.words(locale, "ledger.folded", count=len(claims))
        lines += [f"## [{title}]({posixpath.relpath(source, here)})", "", f'??? success "{folded}"', ""]
        for statement in claims:
            ref = _test_of(statement.claim, context)
            outcome = RUN.outcome(ref) if RUN.found else ""
            counts[outcome] = counts.get(outcome, 0) + 1
            key = f"ledger.outcome.{outcome or 'absent'}"
            result = f" · {catalog.words(locale, key)}" if RUN.found else ""
            checked_by = catalog.words(locale, "ledger.checked_by")
            lines.append(
                f"    - {statement.text} `{statement.claim}`<br>{checked_by} "
                f'<a href="{_link(ref, context)}" data-claim-ledger="{statement.claim}"><code>{html.escape(ref.nodeid)}</code></a>{result}'
            )
        lines.append("")
    summary = catalog.words(locale, "ledger.summary", count=len(found), pages=len(pages))
    if RUN.found:
        summary += " " + catalog.words(locale, "ledger.run", when=RUN.when, passed=counts["passed"], failed=counts["failed"], total=len(found))
    else:
        summary += " " + catalog.words(locale, "ledger.not_run")
    summary += " " + catalog.words(locale, "ledger.torch") + " <!-- md:version torch -->."
    return "\n".join([summary, "", *lines])


def nav_pages(nav) -> list[str]:
    """The source paths of the nav's pages, in order."""
    found = []
    for item in nav or []:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            found += nav_pages(value)
        elif isinstance(value, str):
            found.append(value)
    return found
