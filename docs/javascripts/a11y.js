// Names and focus that the theme's HTML cannot carry at build time (axe-core checks them).
document$.subscribe(() => {
  const words = JSON.parse(document.getElementById("handbook-text").textContent);

  // Material adds a toolbar (<nav>) to a code block when the block first comes into view (feature
  // content.lazy); several unnamed navigation landmarks on one page cannot be told apart (axe-core:
  // landmark-unique). Name each one as it appears, by its block's place on the page.
  const blocks = [...document.querySelectorAll(".md-content pre")];
  const name = () => {
    document.querySelectorAll("nav.md-code__nav:not([aria-label])").forEach((nav) => {
      nav.setAttribute("aria-label", `${words.code_actions} ${blocks.indexOf(nav.closest("pre")) + 1}`);
    });
  };
  name();
  new MutationObserver(name).observe(document.querySelector(".md-content"), { childList: true, subtree: true });

  // A display formula or a table wider than a phone scrolls inside its block (Material wraps each
  // table in a scrolling div); a block that scrolls must take keyboard focus (axe-core:
  // scrollable-region-focusable). Only those that scroll, at this width: a block is measured again
  // whenever its size changes (a rotation, a resize, a late layout).
  const focusable = (block) => {
    if (block.scrollWidth > block.clientWidth) block.setAttribute("tabindex", "0");
    else block.removeAttribute("tabindex");
  };
  const measure = new ResizeObserver((entries) => entries.forEach((entry) => focusable(entry.target)));
  const observe = () => document.querySelectorAll(".md-content div.arithmatex, .md-content .md-typeset__scrollwrap").forEach((block) => measure.observe(block));
  observe();
  requestAnimationFrame(observe); // after Material has wrapped the tables
});
