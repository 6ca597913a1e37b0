"""The built site as files and as a server: shared by the tests and the benchmarks.

Which pages exist, in which language, at which URL comes from the project's own configuration
(hooks/catalog.py reads mkdocs.yml): nothing here knows the languages by name.
"""

import contextlib
import functools
import html.parser
import io
import http.server
import posixpath
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
sys.path.insert(0, str(ROOT / "hooks"))
import catalog  # noqa: E402


def language_of(source: Path, root: Path = ROOT) -> catalog.Language:
    """The language a page twin is written in, from its name (page.md, page.zh.md)."""
    languages = catalog.site_languages(root)
    others = [lang for lang in languages if not lang.default and source.name.endswith(lang.suffix)]
    return others[0] if others else languages[0]


def twins(source: Path, root: Path = ROOT) -> dict[str, Path]:
    """locale -> the page's file in each language (existing or not), from any of them."""
    language = language_of(source, root)
    stem = source.name.removesuffix(language.suffix)
    return {lang.locale: source.with_name(stem + lang.suffix) for lang in catalog.site_languages(root)}


def chapter_url(source: Path, root: Path = ROOT) -> str:
    """docs/optimizers/adam.zh.md -> zh/optimizers/adam/"""
    language = language_of(source, root)
    path = source.relative_to(root / "docs").as_posix().removesuffix(language.suffix)
    path = "" if path == "index" else path.removesuffix("/index") + "/"
    return language.prefix + path


def chapters(root: Path = ROOT) -> dict[str, Path]:
    """The site's written pages, every language, by URL path: {'zh/optimizers/adam/': docs/...}."""
    return {chapter_url(source, root): source for source in sorted((root / "docs").rglob("*.md"))}


def pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the site as a URL path: '', 'zh/momentum/', '404.html'."""
    paths = []
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        paths.append(relative.removesuffix("index.html") if relative.endswith("index.html") else relative)
    return paths


class _Pages(http.server.SimpleHTTPRequestHandler):
    """Serves the site as GitHub Pages does: 404.html, with status 404, for an address it lacks."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if not (path.is_file() or (path.is_dir() and (path / "index.html").is_file())):
            missing = Path(self.directory) / "404.html"
            if missing.is_file():
                body = missing.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return io.BytesIO(body)
        return super().send_head()


@contextlib.contextmanager
def served(site: Path = SITE):
    """The site served on 127.0.0.1 at a free port; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Pages, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


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
