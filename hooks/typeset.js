// Typesets TeX into SVG with MathJax 3 in Node, for hooks/mathjax.py (math is set at build time,
// so readers download no MathJax and pages do not shift while typesetting).
//
// Protocol, one JSON document per line:
//   first line out:  {"stylesheet": "..."}                 CSS the SVG output needs, once per site
//   each line in:    [["TeX", display], ...]               all the math of one page
//   each answer out: {"html": ["<mjx-container>", ...]} or {"error": "..."}
// Each glyph is its own <path> (fontCache "none"): on a phone, laying out <use> references to
// shared glyphs cost more than the bytes they save (gzip removes most of the repetition).
const readline = require("readline");

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
          flatten(adaptor, adaptor.firstChild(node));
          const markup = adaptor.outerHTML(node);
          if (markup.includes('data-mml-node="merror"')) {
            throw new Error(adaptor.textContent(node).trim() || "unknown TeX error");
          }
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
