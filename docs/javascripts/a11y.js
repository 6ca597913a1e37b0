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
  // scrollable-region-focusable). Only those that scroll, at this width.
  const focusable = () => {
    for (const block of document.querySelectorAll(".md-content div.arithmatex, .md-content .md-typeset__scrollwrap")) {
      if (block.scrollWidth > block.clientWidth) block.setAttribute("tabindex", "0");
      else block.removeAttribute("tabindex");
    }
  };
  focusable();
  requestAnimationFrame(focusable); // after Material has wrapped the tables
  window.addEventListener("resize", focusable);
});
