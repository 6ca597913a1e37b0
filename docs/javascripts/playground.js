/* SGD playground: torch.optim.SGD's update on f(x) = 4x², computed and drawn in the browser.
 *
 * Markup: <div data-playground="learning-rate"></div>, or data-playground="momentum" to draw
 * f(x, y) = 4x² + 0.04y² (curvatures 8 and 0.08) as well. No library, no request: plain DOM + SVG.
 *
 * Arithmetic: the recurrence of torch.optim.SGD (torch 2.13, torch/optim/sgd.py, _single_tensor_sgd)
 * with dampening 0 and no weight decay, in double precision (JavaScript numbers are IEEE float64):
 *   g = f'(w);  v = g on the first step, then v = m·v + g;  d = g + m·v (Nesterov) or v;  w ← w − lr·d
 * With momentum 0 PyTorch keeps no buffer and d = g. The reference is snippets/momentum/sgd_path.py,
 * and tests/test_playground.py compares this widget's table with it.
 *
 * Contract with the tests: inputs named lr, momentum, steps, x0 and nesterov (a checkbox); a
 * <table data-role="iterates"> with one row per step (step 0 = x0) whose data-x and data-loss hold
 * full-precision values; invalid input sets aria-invalid="true" on the input and writes to the
 * role="alert" element, and leaves the last valid pictures and table in place.
 */
(function () {
  "use strict";

  const MAX_STEPS = 1000;
  const MAX_ABS_X0 = 1000;
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const SVG = "http://www.w3.org/2000/svg";
  const MARKERS_UP_TO = 80; // draw a dot per iterate up to this many steps, a line only beyond
  const PLANE = { halves: [4, 0.04], startRatio: 10 }; // f(x, y) = 4x² + 0.04y², start (x0, 10·x0)

  const DEFAULTS = {
    "learning-rate": { lr: "0.2", momentum: "0", nesterov: false, steps: "20", x0: "2" },
    momentum: { lr: "0.01", momentum: "0.9", nesterov: false, steps: "100", x0: "2" },
  };

  const TEXT = {
    en: {
      group: "SGD settings",
      lr: "Learning rate (lr)",
      momentum: "Momentum",
      nesterov: "Nesterov",
      steps: "Steps",
      x0: "Start x₀",
      hint:
        `Limits: lr ≥ 0; 0 ≤ momentum < 1; steps: a whole number from 0 to ${MAX_STEPS}; ` +
        `−${MAX_ABS_X0} ≤ x₀ ≤ ${MAX_ABS_X0}; Nesterov needs a momentum above 0.`,
      empty: (label) => `${label}: enter a number.`,
      notNumber: (label, value) => `${label}: “${value}” is not a number.`,
      lrRange: "Learning rate (lr): must be 0 or more.",
      momentumRange: "Momentum: must be at least 0 and less than 1.",
      stepsRange: `Steps: must be a whole number from 0 to ${MAX_STEPS}.`,
      x0Range: `Start x₀: must be between −${MAX_ABS_X0} and ${MAX_ABS_X0}.`,
      nesterovMomentum: "Nesterov: needs a momentum above 0 (PyTorch raises an error otherwise).",
      kept: "Not updated: the pictures and the table still show the last valid settings.",
      done: (n, x, loss) => `After ${n} ${n === 1 ? "step" : "steps"}: x = ${x}, loss = ${loss}.`,
      diverged: (k) =>
        `Diverged at step ${k}: x or the loss no longer fits in a double-precision number ` +
        `(above about 1.8 × 10³⁰⁸). The pictures and the table stop at step ${k - 1}.`,
      pathTitle: "Path on f(x) = 4x². Filled dot: the start x₀; open dot: the last step.",
      pathLabel: (n, a, b) => `The parabola f(x) = 4x² with ${n} iterates, from x = ${a} to x = ${b}.`,
      lossTitle: "Loss per step (log scale).",
      lossZero: " The row marked 0 holds the losses of exactly 0, which a log scale cannot show.",
      lossLabel: (a, b) => `Loss against step on a log scale, from ${a} to ${b}.`,
      planeTitle:
        "Path on f(x, y) = 4x² + 0.04y² from (x₀, 10·x₀). Horizontal: y (curvature 0.08); " +
        "vertical: x (curvature 8); the two axes have different scales. Filled dot: the start; " +
        "open dot: the last step; +: the minimum.",
      planeLabel: (n, a, b) =>
        `Contour lines of f(x, y) = 4x² + 0.04y² with ${n} iterates, from (x, y) = ${a} to ${b}.`,
      tableTitle: "Iterates",
      step: "step",
      loss: "loss",
    },
    zh: {
      group: "SGD 参数",
      lr: "学习率 (lr)",
      momentum: "动量",
      nesterov: "Nesterov 动量",
      steps: "步数",
      x0: "起点 x₀",
      hint:
        `取值范围：lr ≥ 0；0 ≤ 动量 < 1；步数为 0 到 ${MAX_STEPS} 的整数；` +
        `−${MAX_ABS_X0} ≤ x₀ ≤ ${MAX_ABS_X0}；Nesterov 动量要求动量大于 0。`,
      empty: (label) => `${label}：请输入一个数。`,
      notNumber: (label, value) => `${label}：“${value}”不是数。`,
      lrRange: "学习率 (lr)：不能小于 0。",
      momentumRange: "动量：须不小于 0 且小于 1。",
      stepsRange: `步数：须为 0 到 ${MAX_STEPS} 之间的整数。`,
      x0Range: `起点 x₀：须在 −${MAX_ABS_X0} 到 ${MAX_ABS_X0} 之间。`,
      nesterovMomentum: "Nesterov 动量：要求动量大于 0（否则 PyTorch 会报错）。",
      kept: "未更新：下方的图和表仍是上一次有效输入的结果。",
      done: (n, x, loss) => `${n} 步之后：x = ${x}，损失 = ${loss}。`,
      diverged: (k) =>
        `在第 ${k} 步发散：x 或损失已超出双精度浮点数的范围（约 1.8 × 10³⁰⁸）。` +
        `图和表只画到第 ${k - 1} 步。`,
      pathTitle: "在 f(x) = 4x² 上的路径。实心点：起点 x₀；空心点：最后一步。",
      pathLabel: (n, a, b) => `抛物线 f(x) = 4x² 与 ${n} 个迭代点，从 x = ${a} 到 x = ${b}。`,
      lossTitle: "每步的损失（对数坐标）。",
      lossZero: "标为 0 的一行是恰好为 0 的损失，对数坐标无法表示 0。",
      lossLabel: (a, b) => `损失随步数的变化（对数坐标），从 ${a} 到 ${b}。`,
      planeTitle:
        "在 f(x, y) = 4x² + 0.04y² 上从 (x₀, 10·x₀) 出发的路径。横轴为 y（曲率 0.08），" +
        "纵轴为 x（曲率 8），两轴的比例不同。实心点：起点；空心点：最后一步；+：最小值点。",
      planeLabel: (n, a, b) => `f(x, y) = 4x² + 0.04y² 的等高线与 ${n} 个迭代点，从 (x, y) = ${a} 到 ${b}。`,
      tableTitle: "迭代值",
      step: "步",
      loss: "损失",
    },
  };

  // ---------------------------------------------------------------- arithmetic

  /* torch.optim.SGD on a separable quadratic loss(w) = Σ halves[i]·w[i]², from `start`.
   * Returns {rows: [{step, w, loss}] for the finite steps, divergedAt: first non-finite step or null}.
   * The operations and their order are PyTorch's: the loss is half·(w·w) (4 * x**2 computes x**2 first),
   * autograd's gradient is half·(2·w), and the update is w − lr·d. */
  function sgdRun(lr, momentum, nesterov, steps, start, halves) {
    const w = start.slice();
    let buffer = null;
    const rows = [];
    for (let step = 0; step <= steps; step++) {
      let loss = 0;
      for (let i = 0; i < w.length; i++) loss += halves[i] * (w[i] * w[i]);
      if (!Number.isFinite(loss) || !w.every(Number.isFinite)) return { rows, divergedAt: step };
      rows.push({ step, w: w.slice(), loss });
      if (step === steps) break;
      const grad = w.map((value, i) => halves[i] * (2 * value));
      let direction = grad;
      if (momentum !== 0) {
        buffer = buffer === null ? grad.slice() : buffer.map((b, i) => b * momentum + grad[i]);
        direction = nesterov ? grad.map((g, i) => g + momentum * buffer[i]) : buffer;
      }
      for (let i = 0; i < w.length; i++) w[i] = w[i] - lr * direction[i];
    }
    return { rows, divergedAt: null };
  }

  // ---------------------------------------------------------------- input

  function parseNumber(raw) {
    const text = raw.trim();
    if (text === "") return { error: "empty" };
    if (!NUMBER.test(text)) return { error: "notNumber" };
    const value = Number(text);
    return Number.isFinite(value) ? { value } : { error: "notNumber" };
  }

  /* Read and check every input. Returns {settings} or {errors: [{name, message}]}. */
  function readSettings(inputs, text) {
    const errors = [];
    const values = {};
    for (const name of ["lr", "momentum", "steps", "x0"]) {
      const parsed = parseNumber(inputs[name].value);
      if (parsed.error === "empty") errors.push({ name, message: text.empty(text[name]) });
      else if (parsed.error) errors.push({ name, message: text.notNumber(text[name], inputs[name].value.trim()) });
      else values[name] = parsed.value;
    }
    const failed = (name) => errors.some((error) => error.name === name);
    if (!failed("lr") && !(values.lr >= 0)) errors.push({ name: "lr", message: text.lrRange });
    if (!failed("momentum") && !(values.momentum >= 0 && values.momentum < 1))
      errors.push({ name: "momentum", message: text.momentumRange });
    if (!failed("steps") && !(Number.isInteger(values.steps) && values.steps >= 0 && values.steps <= MAX_STEPS))
      errors.push({ name: "steps", message: text.stepsRange });
    if (!failed("x0") && !(Math.abs(values.x0) <= MAX_ABS_X0)) errors.push({ name: "x0", message: text.x0Range });
    const nesterov = inputs.nesterov.checked;
    if (nesterov && !failed("momentum") && values.momentum === 0)
      errors.push({ name: "nesterov", message: text.nesterovMomentum });
    if (errors.length) return { errors };
    return { settings: { ...values, lr: values.lr + 0, nesterov } }; // + 0 turns −0 into 0
  }

  // ---------------------------------------------------------------- formatting

  /* A number for people: 6 significant digits, exponent form outside 1e-4 ... 1e6, true minus sign. */
  function format(value, digits = 6) {
    if (value === 0) return "0";
    const size = Math.abs(value);
    let text = size >= 1e6 || size < 1e-4 ? value.toExponential(digits - 1) : value.toPrecision(digits);
    text = text.replace(/(\.\d*?)0+(?=e|$)/, "$1").replace(/\.(?=e|$)/, "").replace("e+", "e");
    return text.replace(/-/g, "−");
  }

  /* About `count` round tick values covering [lo, hi]. */
  function ticks(lo, hi, count) {
    const raw = (hi - lo) / Math.max(1, count);
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
    const out = [];
    for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(k * step);
    return out;
  }

  // ---------------------------------------------------------------- SVG

  function svgElement(name, attributes, parent) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
    if (parent) parent.appendChild(element);
    return element;
  }

  function round(value) {
    return Math.round(value * 100) / 100;
  }

  function points(list) {
    return list.map(([a, b]) => `${round(a)},${round(b)}`).join(" ");
  }

  /* An empty chart: an <svg> sized to its container, with a frame and its scales. */
  function frame(width, height, margin, xRange, yRange) {
    const svg = svgElement("svg", {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      class: "playground__svg",
    });
    const plot = { left: margin.left, top: margin.top, right: width - margin.right, bottom: height - margin.bottom };
    const sx = (v) => plot.left + ((v - xRange[0]) / (xRange[1] - xRange[0])) * (plot.right - plot.left);
    const sy = (v) => plot.bottom - ((v - yRange[0]) / (yRange[1] - yRange[0])) * (plot.bottom - plot.top);
    return { svg, plot, sx, sy };
  }

  function axes(chart, xTicks, yTicks, xLabel, yLabel, yTickText) {
    const { svg, plot, sx, sy } = chart;
    const grid = svgElement("g", { class: "pg-grid", "aria-hidden": "true" }, svg);
    const labels = svgElement("g", { class: "pg-tick", "aria-hidden": "true" }, svg);
    for (const t of xTicks) {
      const x = round(sx(t));
      svgElement("line", { x1: x, x2: x, y1: plot.top, y2: plot.bottom }, grid);
      svgElement("text", { x, y: plot.bottom + 16, "text-anchor": "middle" }, labels).textContent = format(t, 4);
    }
    for (const t of yTicks) {
      const y = round(sy(t));
      svgElement("line", { x1: plot.left, x2: plot.right, y1: y, y2: y }, grid);
      const label = svgElement("text", { x: plot.left - 6, y: y + 4, "text-anchor": "end" }, labels);
      if (yTickText) yTickText(label, t);
      else label.textContent = format(t, 4);
    }
    svgElement("rect", {
      class: "pg-frame",
      x: plot.left,
      y: plot.top,
      width: plot.right - plot.left,
      height: plot.bottom - plot.top,
    }, svg);
    const titles = svgElement("g", { class: "pg-axis-title", "aria-hidden": "true" }, svg);
    svgElement("text", { x: (plot.left + plot.right) / 2, y: plot.bottom + 33, "text-anchor": "middle" }, titles)
      .textContent = xLabel;
    svgElement("text", {
      x: 0,
      y: 0,
      "text-anchor": "middle",
      transform: `translate(13 ${round((plot.top + plot.bottom) / 2)}) rotate(-90)`,
    }, titles).textContent = yLabel;
  }

  function dots(parent, list, radius, className) {
    for (const [x, y] of list) svgElement("circle", { cx: round(x), cy: round(y), r: radius, class: className }, parent);
  }

  /* The parabola f(x) = 4x² with the iterates (x_k, f(x_k)) on it. */
  function drawPath(run, width, text) {
    const height = Math.round(Math.min(280, Math.max(200, width * 0.66)));
    const widest = Math.max(...run.rows.map((row) => Math.abs(row.w[0])));
    let reach = 1.1 * widest || 1;
    let top = 4 * reach * reach;
    if (!Number.isFinite(top)) [reach, top] = [widest, 4 * (widest * widest)]; // near the overflow
    const chart = frame(width, height, { left: 58, right: 12, top: 10, bottom: 40 }, [-reach, reach], [0, top]);
    axes(chart, ticks(-reach, reach, 4), ticks(0, top, 4), "x", "f(x)");
    const curve = [];
    for (let i = 0; i <= 160; i++) {
      const x = -reach + (2 * reach * i) / 160;
      curve.push([chart.sx(x), chart.sy(4 * x * x)]);
    }
    svgElement("polyline", { class: "pg-curve", points: points(curve) }, chart.svg);
    const path = run.rows.map((row) => [chart.sx(row.w[0]), chart.sy(row.loss)]);
    const data = svgElement("g", { class: "pg-data" }, chart.svg);
    svgElement("polyline", { class: "pg-path", points: points(path) }, data);
    dots(data, run.rows.length <= MARKERS_UP_TO + 1 ? path : [], 2.5, "pg-dot");
    dots(data, [path[0]], 4.5, "pg-start");
    dots(data, [path[path.length - 1]], 4.5, "pg-end");
    const first = format(run.rows[0].w[0]);
    const last = format(run.rows[run.rows.length - 1].w[0]);
    chart.svg.setAttribute("aria-label", text.pathLabel(run.rows.length, first, last));
    return chart.svg;
  }

  /* The loss against the step on a log scale (decades); losses of exactly 0 on a row marked 0 below. */
  function drawLoss(run, steps, width, text) {
    const height = Math.round(Math.min(280, Math.max(200, width * 0.66)));
    const logs = run.rows.filter((row) => row.loss > 0).map((row) => Math.log10(row.loss));
    let lo = logs.length ? Math.floor(Math.min(...logs)) : -1;
    let hi = logs.length ? Math.ceil(Math.max(...logs)) : 1;
    if (hi - lo < 2) [lo, hi] = [lo - 1, hi + 1];
    const decade = [1, 2, 5, 10, 20, 50, 100, 200].find((d) => (hi - lo) / d <= 5) || 500;
    lo = Math.floor(lo / decade) * decade;
    hi = Math.ceil(hi / decade) * decade;
    const decades = [];
    for (let d = lo; d <= hi; d += decade) decades.push(d);
    const horizon = Math.max(1, steps);
    const zeros = run.rows.some((row) => row.loss === 0);
    const floor = zeros ? lo - 0.2 * (hi - lo) : lo; // the row where a loss of 0 is drawn
    const chart = frame(width, height, { left: 58, right: 12, top: 10, bottom: 40 }, [0, horizon], [floor, hi]);
    const stepTicks = ticks(0, horizon, 5).filter((t) => Number.isInteger(t));
    axes(chart, stepTicks, decades, text.step, text.loss, (label, d) => {
      label.textContent = "10";
      const exponent = svgElement("tspan", { dy: -6, "font-size": "0.78em" }, label);
      exponent.textContent = String(d).replace("-", "−");
    });
    if (zeros) {
      const y = round(chart.sy(floor));
      const labels = svgElement("g", { class: "pg-tick", "aria-hidden": "true" }, chart.svg);
      svgElement("text", { x: chart.plot.left - 6, y: y + 4, "text-anchor": "end" }, labels).textContent = "0";
      const gap = round(chart.sy((floor + lo) / 2));
      svgElement("line", { class: "pg-break", x1: chart.plot.left, x2: chart.plot.right, y1: gap, y2: gap }, chart.svg);
    }
    const path = run.rows.map((row) => [chart.sx(row.step), chart.sy(row.loss > 0 ? Math.log10(row.loss) : floor)]);
    const data = svgElement("g", { class: "pg-data" }, chart.svg);
    svgElement("polyline", { class: "pg-path", points: points(path) }, data);
    const few = run.rows.length <= MARKERS_UP_TO + 1;
    dots(data, path.filter((_, i) => few && run.rows[i].loss > 0), 2.5, "pg-dot");
    dots(data, path.filter((_, i) => run.rows[i].loss === 0 && (few || i === 0 || run.rows[i - 1].loss !== 0)), 3, "pg-zero");
    const first = format(run.rows[0].loss);
    const last = format(run.rows[run.rows.length - 1].loss);
    chart.svg.setAttribute("aria-label", text.lossLabel(first, last));
    return chart.svg;
  }

  /* f(x, y) = 4x² + 0.04y² as contour ellipses, y across and x up, with the iterates from (x0, 10·x0). */
  function drawPlane(run, width, text, id) {
    const height = Math.round(Math.min(300, Math.max(200, width * 0.42)));
    const scale = 1.1 * Math.max(...run.rows.map((row) => Math.max(Math.abs(row.w[0]), Math.abs(row.w[1]) / 10))) || 1;
    const chart = frame(width, height, { left: 58, right: 12, top: 10, bottom: 40 }, [-10 * scale, 10 * scale], [-scale, scale]);
    axes(chart, ticks(-10 * scale, 10 * scale, 6), ticks(-scale, scale, 4), "y", "x");
    const clip = svgElement("clipPath", { id: `${id}-clip` }, svgElement("defs", {}, chart.svg));
    const { plot, sx, sy } = chart;
    svgElement("rect", { x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top }, clip);
    const contours = svgElement("g", { class: "pg-contour", "clip-path": `url(#${id}-clip)`, "aria-hidden": "true" }, chart.svg);
    // The level set 4x² + 0.04y² = 4s² is the ellipse with semi-axes s (in x) and 10s (in y).
    for (let level = 1; level <= 7; level++) {
      const s = (level / 5) * scale;
      svgElement("ellipse", {
        cx: round(sx(0)),
        cy: round(sy(0)),
        rx: round(sx(10 * s) - sx(0)),
        ry: round(sy(0) - sy(s)),
      }, contours);
    }
    svgElement("path", {
      class: "pg-minimum",
      d: `M${round(sx(0)) - 5},${round(sy(0))}h10M${round(sx(0))},${round(sy(0)) - 5}v10`,
    }, chart.svg);
    const path = run.rows.map((row) => [sx(row.w[1]), sy(row.w[0])]);
    const data = svgElement("g", { class: "pg-data", "data-role": "path-2d" }, chart.svg);
    svgElement("polyline", { class: "pg-path", points: points(path) }, data);
    dots(data, run.rows.length <= MARKERS_UP_TO + 1 ? path : [], 2.5, "pg-dot");
    for (const [index, className] of [[0, "pg-start"], [run.rows.length - 1, "pg-end"]]) {
      const row = run.rows[index];
      const marker = svgElement("circle", {
        cx: round(path[index][0]),
        cy: round(path[index][1]),
        r: 4.5,
        class: className,
      }, data);
      marker.dataset.step = String(row.step);
      marker.dataset.x = String(row.w[0]);
      marker.dataset.y = String(row.w[1]);
    }
    const at = (row) => `(${format(row.w[0], 4)}, ${format(row.w[1], 4)})`;
    chart.svg.setAttribute("aria-label", text.planeLabel(run.rows.length, at(run.rows[0]), at(run.rows[run.rows.length - 1])));
    return chart.svg;
  }

  // ---------------------------------------------------------------- the widget

  let counter = 0;

  function html(tag, attributes, parent, content) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
    if (content !== undefined) element.textContent = content;
    if (parent) parent.appendChild(element);
    return element;
  }

  function mount(root) {
    if (root.dataset.playgroundReady) return;
    root.dataset.playgroundReady = "true";
    const kind = root.getAttribute("data-playground") === "momentum" ? "momentum" : "learning-rate";
    const text = (document.documentElement.lang || "").toLowerCase().startsWith("zh") ? TEXT.zh : TEXT.en;
    const id = `playground-${++counter}`;
    const defaults = DEFAULTS[kind];
    root.classList.add("playground");
    root.textContent = "";

    const form = html("form", { class: "playground__form", novalidate: "", "aria-label": text.group }, root);
    const inputs = {};
    for (const [name, mode] of [["lr", "decimal"], ["momentum", "decimal"], ["steps", "numeric"], ["x0", "text"]]) {
      const field = html("div", { class: "playground__field" }, form);
      html("label", { for: `${id}-${name}` }, field, text[name]);
      inputs[name] = html("input", {
        id: `${id}-${name}`,
        name,
        type: "text",
        inputmode: mode,
        autocomplete: "off",
        spellcheck: "false",
        "aria-describedby": `${id}-hint`,
      }, field);
      inputs[name].value = defaults[name];
    }
    const check = html("div", { class: "playground__field playground__field--check" }, form);
    inputs.nesterov = html("input", { id: `${id}-nesterov`, name: "nesterov", type: "checkbox", "aria-describedby": `${id}-hint` }, check);
    inputs.nesterov.checked = defaults.nesterov;
    html("label", { for: `${id}-nesterov` }, check, text.nesterov);
    html("p", { id: `${id}-hint`, class: "playground__hint" }, root, text.hint);
    const alert = html("div", { id: `${id}-alert`, class: "playground__alert", role: "alert" }, root);
    const status = html("p", { class: "playground__status", role: "status" }, root);

    const output = html("div", { class: "playground__output" }, root);
    const charts = html("div", { class: "playground__charts" }, output);
    const figure = (title, wide) => {
      const element = html("figure", { class: wide ? "playground__figure playground__figure--wide" : "playground__figure" }, charts);
      const holder = html("div", { class: "playground__plot" }, element);
      const caption = html("figcaption", {}, element, title);
      return { holder, caption };
    };
    const pathFigure = figure(text.pathTitle);
    const lossFigure = figure(text.lossTitle);
    const planeFigure = kind === "momentum" ? figure(text.planeTitle, true) : null;

    const scroller = html("div", {
      class: "playground__table",
      tabindex: "0",
      role: "region",
      "aria-labelledby": `${id}-caption`,
    }, output);
    const table = html("table", { class: "playground__iterates", "data-role": "iterates" }, scroller);
    html("caption", { id: `${id}-caption` }, table, text.tableTitle);
    const header = html("tr", {}, html("thead", {}, table));
    for (const name of [text.step, "x", text.loss]) html("th", { scope: "col" }, header, name);
    const body = html("tbody", {}, table);

    let last = null; // the last valid run: {settings, line, plane}

    function draw() {
      if (!last) return;
      const width = (holder) => Math.max(240, Math.floor(holder.clientWidth || 360));
      pathFigure.holder.replaceChildren(drawPath(last.line, width(pathFigure.holder), text));
      lossFigure.holder.replaceChildren(drawLoss(last.line, last.settings.steps, width(lossFigure.holder), text));
      const zero = last.line.rows.some((row) => row.loss === 0);
      lossFigure.caption.textContent = text.lossTitle + (zero ? text.lossZero : "");
      if (planeFigure) planeFigure.holder.replaceChildren(drawPlane(last.plane, width(planeFigure.holder), text, id));
    }

    function fillTable(run) {
      const rows = document.createDocumentFragment();
      for (const row of run.rows) {
        const tr = html("tr", { "data-step": row.step, "data-x": String(row.w[0]), "data-loss": String(row.loss) }, rows);
        html("td", {}, tr, String(row.step));
        html("td", {}, tr, format(row.w[0]));
        html("td", {}, tr, format(row.loss));
      }
      body.replaceChildren(rows);
    }

    function update() {
      const read = readSettings(inputs, text);
      for (const name of Object.keys(inputs)) {
        const bad = read.errors && read.errors.some((error) => error.name === name);
        if (bad) {
          inputs[name].setAttribute("aria-invalid", "true");
          inputs[name].setAttribute("aria-describedby", `${id}-alert ${id}-hint`);
        } else {
          inputs[name].removeAttribute("aria-invalid");
          inputs[name].setAttribute("aria-describedby", `${id}-hint`);
        }
      }
      if (read.errors) {
        alert.replaceChildren();
        for (const message of [...read.errors.map((error) => error.message), text.kept])
          html("p", {}, alert, message);
        if (last) root.dataset.stale = "true";
        return;
      }
      alert.replaceChildren();
      delete root.dataset.stale;
      const { lr, momentum, nesterov, steps, x0 } = read.settings;
      const line = sgdRun(lr, momentum, nesterov, steps, [x0], [4]);
      const plane = planeFigure ? sgdRun(lr, momentum, nesterov, steps, [x0, PLANE.startRatio * x0], PLANE.halves) : null;
      last = { settings: read.settings, line, plane };
      fillTable(line);
      if (line.divergedAt !== null) {
        status.textContent = text.diverged(line.divergedAt);
        root.dataset.diverged = String(line.divergedAt);
      } else {
        const end = line.rows[line.rows.length - 1];
        status.textContent = text.done(end.step, format(end.w[0]), format(end.loss));
        delete root.dataset.diverged;
      }
      draw();
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      update();
    });
    update();

    // Redraw at the new width when the layout changes (phone rotation, window resize, sidebar).
    if (typeof ResizeObserver === "function") {
      let seen = charts.clientWidth;
      new ResizeObserver(() => {
        if (charts.clientWidth !== seen) {
          seen = charts.clientWidth;
          draw();
        }
      }).observe(charts);
    }
  }

  function mountAll() {
    document.querySelectorAll("[data-playground]").forEach(mount);
  }

  // Material's instant navigation swaps the page without reloading scripts: mount on every page.
  if (typeof document$ !== "undefined" && document$ && typeof document$.subscribe === "function") {
    document$.subscribe(mountAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
})();
