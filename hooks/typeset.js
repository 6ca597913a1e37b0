// Typesets TeX into SVG with MathJax 3 in Node, for hooks/mathjax.py (math is set at build time,
// so readers download no MathJax and pages do not shift while typesetting).
//
// Protocol, one JSON document per line:
//   first line out:  {"stylesheet": "..."}                 CSS the SVG output needs, once per site
//   each line in:    [["TeX", display], ...]               all the math of one page
//   each answer out: {"html": ["<mjx-container>", ...]} or {"error": "..."}
// Glyphs are drawn from paths in the SVG itself (fontCache "none"), then merged (see mergeGlyphs).
const readline = require("readline");
const svgpath = require("svgpath");

const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");

// MathJax wraps each glyph in a <g> naming its MathML node. A browser styles and lays out every one
// of those elements, and on a math-heavy page that was most of the main thread's work on a phone.
// A <g> with one child and nothing but a name and a transform is dropped, its transform moved onto
// the child; an empty one too. Tables and errors keep theirs: MathJax's stylesheet selects them by name.
const UNWRAPPABLE = new Set(["data-mml-node", "data-mjx-texclass", "transform"]);
const KEEP = new Set(["mtable", "mtr", "mtd", "mlabeledtr", "merror", "menclose"]);

function flatten(adaptor, node) {
  for (const child of [...adaptor.childNodes(node)]) {
    if (adaptor.kind(child) !== "#text") flatten(adaptor, child);
  }
  if (adaptor.kind(node) !== "g" || KEEP.has(adaptor.getAttribute(node, "data-mml-node"))) return;
  const children = adaptor.childNodes(node);
  if (!adaptor.allAttributes(node).every((attribute) => UNWRAPPABLE.has(attribute.name))) return;
  if (children.length === 0) return adaptor.remove(node); // an empty group draws nothing (spaces)
  if (children.length !== 1 || adaptor.kind(children[0]) === "#text") return;
  const [child] = children;
  const outer = adaptor.getAttribute(node, "transform");
  const inner = adaptor.getAttribute(child, "transform");
  if (outer) adaptor.setAttribute(child, "transform", inner ? `${outer} ${inner}` : outer);
  adaptor.replace(child, node);
}

// A formula's SVG is a tree of <g> (one per MathML node) around one <path> per glyph and one <rect>
// per rule. On a math-heavy page a phone spends most of its main thread styling and laying out
// those thousands of elements, and Material restyles the whole page at load (its palette switch).
// So the tree becomes one <path> for the glyphs and one for the rules, each point moved by the
// transforms above it (svgpath). Relative coordinates keep a glyph's path text the same wherever
// it sits, so gzip still folds the repeats. Anything else (a nested <svg> clipping a stretched
// delimiter, table lines, links) keeps the tree; flatten() then only drops redundant <g>.
const GROUP_ATTRIBUTES = new Set([...UNWRAPPABLE, "data-c"]); // data-c: a glyph built of parts
const RECT_ATTRIBUTES = ["x", "y", "width", "height"];
const INHERITED_PAINT = { stroke: "currentColor", fill: "currentColor", "stroke-width": "0" };

function mergeGlyphs(adaptor, svg) {
  const glyphs = [];
  const rules = [];
  const collect = (node, transform) => {
    for (const child of adaptor.childNodes(node)) {
      const kind = adaptor.kind(child);
      if (kind === "#text") continue;
      const attributes = Object.fromEntries(adaptor.allAttributes(child).map(({ name, value }) => [name, value]));
      const { transform: own = "", ...rest } = attributes;
      const inner = `${transform} ${own}`.trim();
      const names = Object.keys(rest);
      if (kind === "g" && names.every((name) => GROUP_ATTRIBUTES.has(name) || INHERITED_PAINT[name] === rest[name])) {
        if (!collect(child, inner)) return false;
      } else if (kind === "path" && names.every((name) => name === "d" || name === "data-c")) {
        glyphs.push(svgpath(rest.d).transform(inner).rel().round(1).toString());
      } else if (kind === "rect" && names.every((name) => RECT_ATTRIBUTES.includes(name))) {
        const [x, y, width, height] = RECT_ATTRIBUTES.map((name) => +rest[name]);
        rules.push(svgpath(`M${x} ${y}H${x + width}V${y + height}H${x}Z`).transform(inner).rel().round(1).toString());
      } else {
        return false;
      }
    }
    return true;
  };
  if (!collect(svg, "")) return false;
  for (const child of [...adaptor.childNodes(svg)]) adaptor.remove(child);
  for (const [name, value] of Object.entries(INHERITED_PAINT)) adaptor.setAttribute(svg, name, value);
  // MathJax's stylesheet thickens glyphs (path[data-c] { stroke-width: 3 }), never rules.
  if (glyphs.length) adaptor.append(svg, adaptor.node("path", { "stroke-width": "3", d: glyphs.join("") }));
  if (rules.length) adaptor.append(svg, adaptor.node("path", { d: rules.join("") }));
  return true;
}

require("mathjax")
  .init({
    loader: { load: ["input/tex", "output/svg", "a11y/assistive-mml"] },
    tex: {
      // A TeX error or an undefined macro fails the build instead of rendering red text on the page.
      packages: { "[-]": ["noundefined"] },
      formatError: (jax, error) => {
        throw error;
      },
    },
    svg: { fontCache: "none" },
    startup: { typeset: false },
  })
  .then(async (MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    send({ stylesheet: adaptor.textContent(MathJax.svgStylesheet()) });
    const lines = readline.createInterface({ input: process.stdin, terminal: false });
    for await (const line of lines) {
      const html = [];
      let error = null;
      for (const [tex, display] of JSON.parse(line)) {
        try {
          const node = await MathJax.tex2svgPromise(tex, { display });
          if (adaptor.outerHTML(node).includes('data-mml-node="merror"')) {
            throw new Error(adaptor.textContent(node).trim() || "unknown TeX error");
          }
          const svg = adaptor.firstChild(node);
          if (!mergeGlyphs(adaptor, svg)) flatten(adaptor, svg);
          const markup = adaptor.outerHTML(node);
          html.push(markup);
        } catch (caught) {
          error = `${caught.message} in TeX: ${tex}`;
          break;
        }
      }
      if (error) {
        send({ error });
        continue;
      }
      send({ html });
    }
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
