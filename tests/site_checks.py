"""Checks of the built site shared by the tests and `make audit` (benchmarks/audit.py).

The site is served from site/ on 127.0.0.1 and opened in Debian's chromium (Playwright's own
browser download cannot run here).
"""

import contextlib
import functools
import html.parser
import http.server
import posixpath
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chapter_url(source: Path, docs: Path = ROOT / "docs") -> str:
    """docs/optimizers/adam.zh.md -> zh/optimizers/adam/"""
    relative = source.relative_to(docs).as_posix()
    language = "zh/" if relative.endswith(".zh.md") else ""
    path = relative.removesuffix(".zh.md").removesuffix(".md")
    path = "" if path == "index" else path.removesuffix("/index") + "/"
    return language + path


def chapters(docs: Path = ROOT / "docs") -> dict[str, Path]:
    """The site's written pages, both languages, by URL path: {'zh/optimizers/adam/': docs/...}."""
    return {chapter_url(source, docs): source for source in sorted(docs.rglob("*.md"))}


def pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the site as a URL path: '', 'zh/momentum/', '404.html'."""
    paths = []
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        paths.append(relative.removesuffix("index.html") if relative.endswith("index.html") else relative)
    return paths


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def served(site: Path = SITE):
    """The site served on 127.0.0.1 at a free port; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


def axe_violations(page) -> list[str]:
    """axe-core's violations on a loaded page, one line each (after the page has named its toolbars)."""
    page.wait_for_function("() => [...document.querySelectorAll('nav.md-code__nav')].every(n => n.getAttribute('aria-label'))")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]


# The link check: every internal link, anchor and asset of a page resolves to a file of the site.


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


@functools.cache
def parse(path: Path) -> References:
    references = References()
    references.feed(path.read_text(encoding="utf-8"))
    return references


def target_file(site: Path, page: Path, url: str) -> tuple[Path, str] | None:
    """The file a relative URL points at and its fragment; None for a URL that leaves the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")):
        return None
    path = unquote(parts.path)
    base = "" if path.startswith("/") else page.parent.relative_to(site).as_posix()  # "/x": the site root
    target = site / posixpath.normpath(posixpath.join(base, path.lstrip("/"))) if path else page
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def broken_references(page: Path, site: Path = SITE) -> list[str]:
    broken = []
    for url in parse(page).urls:
        resolved = target_file(site, page, url)
        if resolved is None:
            continue
        target, fragment = resolved
        if not target.is_file():
            broken.append(f"{url} (no file {target.relative_to(site) if target.is_relative_to(site) else target})")
        elif fragment and target.suffix == ".html" and fragment not in parse(target).ids:
            broken.append(f"{url} (no anchor #{fragment})")
    return broken
