"""Numbers said once: a page quotes a snippet's run by name, and the build fills the number in.

The runner records every module-level value a snippet leaves (hooks/snippet_runner.py). A page
refers to one of them, and the HTML says where the number came from:

  <!-- md:value learning_rate/gradient_descent:xs[2] -->     a result of the run
      -> <span class="value" data-from="learning_rate/gradient_descent" data-name="xs[2]">98</span>
  <!-- md:input learning_rate/gradient_descent:X0 -->        a number the page chose: one of the
      -> <span class="value" data-input="learning_rate/gradient_descent:X0">2</span>   snippet's UPPER_CASE constants
  <!-- md:constant optimizers/lbfgs:WOLFE_C1 sci -->          a constant of torch, as the snippet read it from torch
      -> <span class="value" data-constant="optimizers/lbfgs:WOLFE_C1">10⁻⁴</span>
  <!-- md:version torch -->  <!-- md:version torch minor -->  the installed torch: 2.13.0, 2.13
  <!-- md:table optimizers/state:rows -->                     a list of rows (dicts) as a table

A path is a name followed by `[index]`, `[key]` or `.key`. An optional format is Python's format
spec (`.3g`, `.1%`, `,d`), or `sci` / `.2sci` for a × 10ⁿ. Negative numbers get a true minus
sign, and exponents become × 10ⁿ. Inside a formula the number is written as TeX, and the formula's
element carries the same data attributes (hooks/mathjax.py).
"""

from __future__ import annotations

import html
import importlib.metadata
import math
import re

from shortcodes import Context, shortcode

PATH = re.compile(r"^(?P<snippet>[a-z0-9_]+/[a-z0-9_]+):(?P<path>[A-Za-z_]\w*(?:\[[^\]]+\]|\.\w+)*)$")
STEP = re.compile(r"\[(?P<index>[^\]]+)\]|\.(?P<key>\w+)")
SCI = re.compile(r"^(?P<digits>\.\d+)?sci$")
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
MINUS = "\u2212"
KINDS = {"value": "from", "input": "input", "constant": "constant"}

RESULTS: dict = {}  # snippet name -> snippet_runner.Result, set by the build before pages expand


def lookup(source: str) -> tuple[str, str, object]:
    """(snippet, path, value) for "chapter/stem:path"."""
    match = PATH.match(source)
    if match is None:
        raise ValueError(f"'{source}' is not SNIPPET:NAME (e.g. learning_rate/gradient_descent:X0)")
    snippet, path = match["snippet"], match["path"]
    if snippet not in RESULTS:
        raise ValueError(f"no snippet '{snippet}' (snippets/{snippet}.py)")
    values = RESULTS[snippet].values
    name = re.match(r"\w+", path)[0]
    if name not in values:
        recorded = ", ".join(sorted(values)) or "none"
        raise ValueError(f"snippets/{snippet}.py records no value '{name}' (a module-level name). It records: {recorded}")
    value = values[name]
    for step in STEP.finditer(path[len(name) :]):
        key = step["key"] if step["key"] is not None else step["index"].strip("'\"")
        value = _step(value, key, f"{snippet}:{path}")
    return snippet, path, value


def _step(value, key: str, where: str):
    if isinstance(value, list):
        try:
            return value[int(key)]
        except (ValueError, IndexError):
            raise ValueError(f"{where}: no item [{key}] in a list of {len(value)}") from None
    if isinstance(value, dict):
        if key in value:
            return value[key]
        raise ValueError(f"{where}: no key '{key}' (keys: {', '.join(list(value)[:20])})")
    raise ValueError(f"{where}: cannot index a {type(value).__name__} with [{key}]")


def formatted(value, spec: str = "", mode: str = "inline") -> str:
    """The number as a reader sees it: `spec` applied, exponents as × 10ⁿ, a true minus sign
    (or TeX in a formula)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, str):
        return value
    if not isinstance(value, (int, float)):
        raise ValueError(f"a {type(value).__name__} is not a number (give the element's path: name[0])")
    if isinstance(value, float) and not math.isfinite(value):
        text = "NaN" if math.isnan(value) else ("−∞" if value < 0 else "∞")
        return {"nan": "\\text{NaN}", "inf": "\\infty", "-inf": "-\\infty"}[str(value)] if mode == "tex" else text
    sci = SCI.match(spec)
    if sci:
        text = format(value, f"{sci['digits'] or '.15'}e")
    elif spec:
        text = format(value, spec)
    else:
        text = format(value, "d") if isinstance(value, int) else format(value, "g")
    match = re.fullmatch(r"(?P<mantissa>-?[\d.]+)e(?P<exponent>[+-]\d+)", text)
    if match:
        mantissa, exponent = match["mantissa"], int(match["exponent"])
        if sci and not sci["digits"]:  # bare sci: as few digits as the number needs (1e-15 is 10⁻¹⁵)
            mantissa = format(float(mantissa), "g")
        if mode == "tex":
            power = f"10^{{{exponent}}}"
            return power if mantissa in ("1", "-1") and sci else f"{mantissa} \\times {power}"
        power = "10" + str(exponent).translate(SUPERSCRIPT)
        text = power if mantissa == "1" and sci else f"{mantissa} × {power}"
        if mantissa == "-1" and sci:
            text = "-" + power
    if mode == "tex":
        return text.replace("%", "\\%")
    return text.replace("-", MINUS, 1) if text.startswith("-") else text


def _value_form(kind: str):
    def handler(args: list[str], context: Context) -> str:
        if not 1 <= len(args) <= 2:
            raise ValueError(f"give SNIPPET:NAME and at most a format (e.g. .3g), not {args}")
        snippet, path, value = lookup(args[0])
        if kind == "input" and not re.match(r"[A-Z][A-Z0-9_]*$", re.match(r"\w+", path)[0]):
            raise ValueError(f"an input is one of the snippet's UPPER_CASE constants; '{path}' is not (use md:value)")
        text = formatted(value, args[1] if len(args) > 1 else "", context.mode)
        return emit(KINDS[kind], snippet, path, text, context)

    return handler


def emit(attribute: str, snippet: str, path: str, text: str, context: Context) -> str:
    """The number in the markup its place needs, with where it came from."""
    context.notes.setdefault("values", []).append((attribute, f"{snippet}:{path}" if snippet else path))
    if context.mode == "plain":
        return text
    if context.mode == "tex":
        source = f"{snippet}:{path}" if snippet else path
        return f"\\handbookvalue{{{attribute}}}{{{source}}}{{{text}}}"
    if attribute == "from":
        origin = f'data-from="{html.escape(snippet)}" data-name="{html.escape(path)}"'
    else:
        origin = f'data-{attribute}="{html.escape(f"{snippet}:{path}" if snippet else path)}"'
    return f'<span class="value" {origin}>{html.escape(text)}</span>'


for _kind in KINDS:
    shortcode(_kind, f"<!-- md:{_kind} SNIPPET:NAME [FORMAT] -->")(_value_form(_kind))


@shortcode("version", "<!-- md:version torch [minor] -->")
def version(args: list[str], context: Context) -> str:
    if not args or len(args) > 2 or (len(args) == 2 and args[1] != "minor"):
        raise ValueError("give a package and optionally 'minor': <!-- md:version torch minor -->")
    full = importlib.metadata.version(args[0])
    text = ".".join(full.split("+")[0].split(".")[:2]) if len(args) == 2 else full
    return emit("constant", "", f"{args[0]}.__version__", text, context)


@shortcode("table", '<!-- md:table SNIPPET:ROWS [columns="a,b"] [format.COLUMN=SPEC] [header.COLUMN="Label"] -->', block=True)
def table(args: list[str], context: Context) -> str:
    """A list of rows (dicts with the same keys) as a Markdown table whose every cell is a value."""
    if not args:
        raise ValueError("give SNIPPET:ROWS, a list of dicts the snippet records")
    snippet, path, rows = lookup(args[0])
    options = dict(arg.split("=", 1) for arg in args[1:] if "=" in arg)
    unknown = [arg for arg in args[1:] if "=" not in arg or not arg.split("=")[0].startswith(("columns", "format.", "header."))]
    if unknown:
        raise ValueError(f"unknown table options {unknown}")
    if not (isinstance(rows, list) and rows and all(isinstance(row, dict) for row in rows)):
        raise ValueError(f"{snippet}:{path} is not a list of rows (dicts)")
    columns = options["columns"].split(",") if "columns" in options else list(rows[0])
    for column in columns:
        if any(column not in row for row in rows):
            raise ValueError(f"{snippet}:{path}: not every row has the column '{column}'")
    context.mode = "inline"

    def cell(index: int, column: str) -> str:
        value = rows[index][column]
        text = formatted(value, options.get(f"format.{column}", ""), "inline")
        if isinstance(value, str) or isinstance(value, bool) or value is None:
            return html.escape(text).replace("|", "\\|")
        return emit("from", snippet, f"{path}[{index}].{column}", text, context)

    header = [options.get(f"header.{column}", column).replace("|", "\\|") for column in columns]
    align = ["---:" if isinstance(rows[0][column], (int, float)) and not isinstance(rows[0][column], bool) else "---" for column in columns]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(cell(index, column) for column in columns) + " |" for index in range(len(rows))]
    # md_in_html: the table is Markdown inside a <div> that says where its numbers come from
    return "\n".join([f'<div class="value-table" data-table="{html.escape(f"{snippet}:{path}")}" markdown>', "", *lines, "", "</div>"])
