// Material adds a toolbar (<nav>) to a code block in the browser when the block first comes into
// view (feature content.lazy); several unnamed navigation landmarks on one page cannot be told
// apart (axe-core: landmark-unique). Name each one as it appears, by its block's place on the page.
document$.subscribe(() => {
  const label = document.documentElement.lang.startsWith("zh") ? "代码块操作" : "Code block actions";
  const blocks = [...document.querySelectorAll(".md-content pre")];
  const name = () => {
    document.querySelectorAll("nav.md-code__nav:not([aria-label])").forEach((nav) => {
      const block = nav.closest("pre");
      nav.setAttribute("aria-label", `${label} ${blocks.indexOf(block) + 1}`);
    });
  };
  name();
  new MutationObserver(name).observe(document.querySelector(".md-content"), { childList: true, subtree: true });
});
