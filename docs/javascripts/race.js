/* The optimizer race: the page around race-engine.js (which does all the arithmetic).
 *
 * <div data-race="race"></div>        the full race, its state in the address (?race=...)
 * <div data-race="adam"></div>        a race preset to one optimizer (any key of RaceEngine.OPTIMIZERS)
 * <div data-race="overview"></div>    four optimizers on the momentum chapter's valley
 * <div data-playground="learning-rate"> / "momentum"   SGD on f(x) = 4x² (and 4x² + 0.04y²) in
 *                                      float64, the learning-rate and momentum pages' preset
 *
 * Contract for tools and tests. The root of a race carries `data-race`; after each run its
 * `data-state` holds the race as JSON (surface, start, steps, seed, rounding, dtype, fair,
 * optimizers with all their settings, as run) and `data-iterates` the iterates, per optimizer a
 * list of [x, y]. `[data-race-copy]` shows runnable torch code in `<pre data-race-code>`: it prints
 * `<optimizer index> <step> <x> <y>` for every iterate. A playground keeps its older contract:
 * inputs named lr, momentum, steps, x0 and nesterov, and a <table data-role="iterates"> with one
 * row per step whose data-x and data-loss hold full-precision values. Invalid input sets
 * aria-invalid on the field, explains itself in the role="alert" element, and leaves the last
 * valid race on screen, dimmed (data-stale). Words come from the page's catalog (js.race).
 */
(function () {
  "use strict";

  const E = window.RaceEngine;
  const SVG = "http://www.w3.org/2000/svg";
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const MARKERS_UP_TO = 80; // a dot per iterate up to this many steps, a line only beyond
  const DASHES = ["", "7 4", "2 3", "9 3 2 3"]; // lanes differ by dash as well as by color
  const SPEED = 180; // frames a full replay takes (about three seconds)

  // lr of each optimizer in a preset race (torch's defaults suit networks, not these valleys)
  const PRESET_LR = {
    sgd: 0.1, adagrad: 1, rmsprop: 0.05, adadelta: 5, adam: 0.5, adamw: 0.5, adamax: 0.5,
    nadam: 0.5, radam: 0.2, asgd: 0.1, rprop: 0.05, adafactor: 0.5, lion: 0.05,
  };
  const HEAVY_BALL = { name: "sgd", settings: { lr: 0.05, momentum: 0.9 } };
  const PRESETS = {
    race: {
      surface: "rosenbrock",
      steps: 300,
      optimizers: [
        { name: "sgd", settings: { lr: 1e-3, momentum: 0.9 } },
        { name: "adam", settings: { lr: 0.1 } },
        { name: "lion", settings: { lr: 0.01 } },
        { name: "rprop", settings: { lr: 0.01 } },
      ],
    },
    overview: {
      surface: "quadratic",
      optimizers: [{ name: "sgd", settings: { lr: 0.1 } }, HEAVY_BALL, { name: "adam", settings: { lr: 0.5 } }, { name: "adagrad", settings: { lr: 1 } }],
    },
  };
  const preset = (key) =>
    PRESETS[key] ||
    (E.OPTIMIZERS[key]
      ? { surface: "quadratic", optimizers: [{ name: key, settings: { lr: PRESET_LR[key] } }, HEAVY_BALL] }
      : PRESETS.race);

  // ---------------------------------------------------------------- words and numbers

  const WORDS = () => JSON.parse(document.getElementById("handbook-text").textContent).race;
  const fill = (text, fields) => text.replace(/\{(\w+)\}/g, (whole, key) => (key in fields ? fields[key] : whole));

  /* A number for people: `digits` significant digits, exponent form outside 1e-4 ... 1e6, true minus. */
  function format(value, digits = 6) {
    if (value === 0) return "0";
    const size = Math.abs(value);
    let text = size >= 1e6 || size < 1e-4 ? value.toExponential(digits - 1) : value.toPrecision(digits);
    text = text.replace(/(\.\d*?)0+(?=e|$)/, "$1").replace(/\.(?=e|$)/, "").replace("e+", "e");
    return text.replace(/-/g, "−");
  }

  function parse(raw) {
    const text = raw.trim();
    if (text === "") return { error: "empty" };
    if (!NUMBER.test(text)) return { error: "not_number" };
    return { value: Number(text) };
  }

  /* "must be ..." for a parameter's range, in the page's language. */
  function rangeText(words, param) {
    const min = format(param.min);
    const max = format(param.max);
    const open = param.open || "";
    if (!Number.isFinite(param.max)) return fill(open.includes("min") ? words.more_than : words.at_least, { min });
    const key = open.includes("min") ? (open.includes("max") ? "strictly_between" : "above_to") : open.includes("max") ? "from_below" : "between";
    return fill(words[key], { min, max });
  }

  const TYPES = { float32: { name: "float32", tiny: 2 ** -126, max: (2 - 2 ** -23) * 2 ** 127 }, float64: { name: "float64", tiny: 2 ** -1022, max: Number.MAX_VALUE } };

  /* The message for a field's problem (codes of parse, RaceEngine.checkValue and checkStart). */
  function message(words, code, label, raw, param, dtype = "float32") {
    const type = TYPES[dtype];
    const fields = { label, value: raw.trim(), type: type.name, tiny: format(type.tiny, 2), max: format(type.max, 2), root: format(Math.sqrt(type.tiny), 2) };
    if (code === "range") return fill(words.errors.range, { label, range: rangeText(words, param) });
    if (code === "whole") return fill(words.errors.whole, { label, min: format(param.min), max: format(param.max) });
    return fill(words.errors[code], fields);
  }

  // ---------------------------------------------------------------- DOM

  function html(tag, attributes, parent, content) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) if (value !== null && value !== undefined) element.setAttribute(key, String(value));
    if (content !== undefined) element.textContent = content;
    if (parent) parent.appendChild(element);
    return element;
  }

  function svg(name, attributes, parent) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
    if (parent) parent.appendChild(element);
    return element;
  }

  const round = (value) => Math.round(Math.max(-1e4, Math.min(1e4, value)) * 100) / 100;
  const points = (list) => list.map(([a, b]) => `${round(a)},${round(b)}`).join(" ");

  /* A text field and, when the parameter has stops, a slider that steps through them. */
  function numberField(parent, id, name, label, words, stops) {
    const field = html("div", { class: "race__field" }, parent);
    html("label", { for: id }, field, label);
    const row = html("div", { class: "race__input" }, field);
    const input = html("input", { id, name, type: "text", inputmode: "decimal", autocomplete: "off", spellcheck: "false" }, row);
    let slider = null;
    if (stops) {
      slider = html("input", { type: "range", min: 0, max: stops.length - 1, step: 1, "aria-label": fill(words.slider, { label }), "data-slider": name }, row);
      slider.addEventListener("input", () => {
        input.value = String(stops[slider.value]);
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
      input.addEventListener("input", () => sync());
    }
    function sync() {
      const value = parse(input.value).value;
      if (!slider || value === undefined) return;
      // the nearest stop on a log scale (0 is nearest only to 0)
      const distance = (stop) => (stop === value ? -1 : stop === 0 || value === 0 || stop * value < 0 ? Infinity : Math.abs(Math.log(stop / value)));
      let best = 0;
      stops.forEach((stop, i) => distance(stop) < distance(stops[best]) && (best = i));
      slider.value = String(best);
      slider.setAttribute("aria-valuetext", input.value.trim());
    }
    return {
      field,
      input,
      set(value) {
        input.value = typeof value === "number" ? String(value) : value;
        sync();
      },
      disable(disabled) {
        input.disabled = disabled;
        if (slider) slider.disabled = disabled;
      },
    };
  }

  function checkField(parent, id, name, label) {
    const field = html("div", { class: "race__field race__field--check" }, parent);
    const input = html("input", { id, name, type: "checkbox" }, field);
    html("label", { for: id }, field, label);
    return { field, input, set: (value) => (input.checked = value) };
  }

  function selectField(parent, id, name, label, options) {
    const field = html("div", { class: "race__field" }, parent);
    html("label", { for: id }, field, label);
    const select = html("select", { id, name }, field);
    for (const [value, text] of options) html("option", { value }, select, text);
    return { field, input: select, set: (value) => (select.value = value) };
  }

  /* Marks each field invalid or valid, and lists the messages in the alert. */
  function showErrors(fields, errors, alert, words) {
    for (const field of fields) {
      const bad = errors.some((error) => error.input === field.input);
      if (bad) field.input.setAttribute("aria-invalid", "true");
      else field.input.removeAttribute("aria-invalid");
      const describedBy = [bad ? alert.id : null, field.hint || null].filter(Boolean).join(" ");
      if (describedBy) field.input.setAttribute("aria-describedby", describedBy);
      else field.input.removeAttribute("aria-describedby");
    }
    alert.replaceChildren();
    if (errors.length) for (const text of [...errors.map((error) => error.text), words.kept]) html("p", {}, alert, text);
  }

  // ---------------------------------------------------------------- charts

  // A chart's height for its width: [least, share of the width, most], in px. The same numbers hold
  // the chart's space before its first draw (chartHolder), so nothing moves when it arrives.
  const HEIGHTS = { contour: [240, 0.8, 460], loss: [200, 0.55, 280], parabola: [200, 0.66, 280] };
  const heightOf = (kind, width) => {
    const [least, share, most] = HEIGHTS[kind];
    return Math.round(Math.min(most, Math.max(least, width * share)));
  };

  /* The box a chart of `kind` is drawn into: as tall as the chart will be at the box's width. */
  function chartHolder(figure, kind, attributes = {}) {
    const [least, share, most] = HEIGHTS[kind];
    const holder = html("div", { class: "race__plot", ...attributes }, figure);
    holder.style.minHeight = `clamp(${least}px, ${share * 100}cqi, ${most}px)`; // cqi: the figure's width
    return holder;
  }

  function frame(width, height, margin, xRange, yRange, label) {
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "race__svg", "aria-label": label || "" });
    const plot = { left: margin.left, top: margin.top, right: width - margin.right, bottom: height - margin.bottom };
    const sx = (v) => plot.left + ((v - xRange[0]) / (xRange[1] - xRange[0])) * (plot.right - plot.left);
    const sy = (v) => plot.bottom - ((v - yRange[0]) / (yRange[1] - yRange[0])) * (plot.bottom - plot.top);
    const ix = (px) => xRange[0] + ((px - plot.left) / (plot.right - plot.left)) * (xRange[1] - xRange[0]);
    const iy = (py) => yRange[0] + ((plot.bottom - py) / (plot.bottom - plot.top)) * (yRange[1] - yRange[0]);
    return { svg: root, plot, sx, sy, ix, iy };
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

  function axes(chart, xTicks, yTicks, xLabel, yLabel, yTickText) {
    const { svg: root, plot, sx, sy } = chart;
    const grid = svg("g", { class: "race-grid", "aria-hidden": "true" }, root);
    const labels = svg("g", { class: "race-tick", "aria-hidden": "true" }, root);
    for (const t of xTicks) {
      const x = round(sx(t));
      svg("line", { x1: x, x2: x, y1: plot.top, y2: plot.bottom }, grid);
      svg("text", { x, y: plot.bottom + 16, "text-anchor": "middle" }, labels).textContent = format(t, 4);
    }
    for (const t of yTicks) {
      const y = round(sy(t));
      svg("line", { x1: plot.left, x2: plot.right, y1: y, y2: y }, grid);
      const label = svg("text", { x: plot.left - 6, y: y + 4, "text-anchor": "end" }, labels);
      if (yTickText) yTickText(label, t);
      else label.textContent = format(t, 4);
    }
    svg("rect", { class: "race-frame", x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top }, root);
    const titles = svg("g", { class: "race-axis-title", "aria-hidden": "true" }, root);
    svg("text", { x: (plot.left + plot.right) / 2, y: plot.bottom + 33, "text-anchor": "middle" }, titles).textContent = xLabel;
    svg("text", { x: 0, y: 0, "text-anchor": "middle", transform: `translate(13 ${round((plot.top + plot.bottom) / 2)}) rotate(-90)` }, titles).textContent = yLabel;
  }

  function clip(chart, id) {
    const { plot } = chart;
    const path = svg("clipPath", { id }, svg("defs", {}, chart.svg));
    svg("rect", { x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top }, path);
    return `url(#${id})`;
  }

  /* Contour lines of f over the view by marching squares, at levels spaced evenly in log(f - low). */
  function contours(chart, f, view, unbounded, parent) {
    const n = 56;
    const [[x0, x1], [y0, y1]] = view;
    const values = [];
    for (let j = 0; j <= n; j++) {
      const row = [];
      for (let i = 0; i <= n; i++) row.push(f([x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * j) / n]));
      values.push(row);
    }
    const flat = values.flat().filter(Number.isFinite);
    const low = Math.min(...flat);
    const high = Math.max(...flat);
    const levels = [];
    for (let k = 1; k <= 12; k++) {
      const t = k / 13;
      levels.push(unbounded ? low + t * (high - low) : low + Math.expm1(t * Math.log1p(high - low)));
    }
    const px = (i) => chart.sx(x0 + ((x1 - x0) * i) / n);
    const py = (j) => chart.sy(y0 + ((y1 - y0) * j) / n);
    for (const level of levels) {
      let d = "";
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          // Most cells lie wholly on one side of a level: skip them before building anything
          // (this loop was most of a race's first draw on a phone).
          const below = (values[j][i] < level) + (values[j][i + 1] < level) + (values[j + 1][i + 1] < level) + (values[j + 1][i] < level);
          if (below === 0 || below === 4) continue;
          const corners = [values[j][i], values[j][i + 1], values[j + 1][i + 1], values[j + 1][i]];
          const cross = [];
          const at = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
          for (let e = 0; e < 4; e++) {
            const a = corners[e] - level;
            const b = corners[(e + 1) % 4] - level;
            if ((a < 0) !== (b < 0)) {
              const t = a / (a - b);
              const [ia, ja] = at[e];
              const [ib, jb] = at[(e + 1) % 4];
              cross.push([px(ia + t * (ib - ia)), py(ja + t * (jb - ja))]);
            }
          }
          for (let c = 0; c + 1 < cross.length; c += 2) d += `M${round(cross[c][0])},${round(cross[c][1])}L${round(cross[c + 1][0])},${round(cross[c + 1][1])}`;
        }
      }
      if (d) svg("path", { d }, parent);
    }
  }

  /* The view of a surface: its domain, widened to hold the start. */
  function viewOf(surface, start) {
    return surface.domain.map(([lo, hi], i) => {
      const pad = 0.05 * (hi - lo);
      return [Math.min(lo, start[i] - pad), Math.max(hi, start[i] + pad)];
    });
  }

  /* The contour plot with each lane's path up to `cursor`; returns {svg, chart, view}. */
  function drawContour(key, start, lanes, cursor, width, words, id, title) {
    const surface = E.SURFACES[key];
    const view = viewOf(surface, start);
    const height = heightOf("contour", width);
    const chart = frame(width, height, { left: 52, right: 10, top: 10, bottom: 40 }, view[0], view[1], title);
    axes(chart, ticks(...view[0], width < 420 ? 4 : 6), ticks(...view[1], 5), "x", "y");
    const clipped = clip(chart, `${id}-clip`);
    contours(chart, surface.f, view, surface.unbounded, svg("g", { class: "race-contour", "clip-path": clipped, "aria-hidden": "true" }, chart.svg));
    for (const [mx, my] of surface.minima) {
      const x = round(chart.sx(mx));
      const y = round(chart.sy(my));
      svg("path", { class: "race-minimum", d: `M${x - 5},${y}h10M${x},${y - 5}v10`, "clip-path": clipped }, chart.svg);
    }
    const data = svg("g", { class: "race-data", "clip-path": clipped }, chart.svg);
    lanes.forEach((lane, index) => {
      const shown = lane.iterates.slice(0, cursor + 1);
      const path = shown.map(([x, y]) => [chart.sx(x), chart.sy(y)]);
      const group = svg("g", { class: `race-lane race-lane--${index}`, "data-role": "path-2d", "data-lane": index }, data);
      svg("polyline", { class: "race-path", points: points(path), "stroke-dasharray": DASHES[index] }, group);
      if (lane.iterates.length <= MARKERS_UP_TO + 1) for (const [x, y] of path.slice(1)) svg("circle", { cx: round(x), cy: round(y), r: 2, class: "race-dot" }, group);
      const last = shown.length - 1;
      const end = svg("circle", { cx: round(path[last][0]), cy: round(path[last][1]), r: 4.5, class: "race-end" }, group);
      end.dataset.step = String(last);
      end.dataset.x = String(shown[last][0]);
      end.dataset.y = String(shown[last][1]);
    });
    const handle = svg("circle", { class: "race-start", cx: round(chart.sx(start[0])), cy: round(chart.sy(start[1])), r: 6 }, chart.svg);
    handle.dataset.step = "0";
    handle.dataset.x = String(start[0]);
    handle.dataset.y = String(start[1]);
    return { svg: chart.svg, chart, view };
  }

  /* The loss against the step: log scale (a loss of exactly 0 on a row marked 0 below), or
   * linear for a surface unbounded below. */
  function drawLoss(lanes, f, unbounded, steps, cursor, width, words, title) {
    const height = heightOf("loss", width);
    const losses = lanes.map((lane) => lane.iterates.map(f));
    const finite = losses.flat().filter(Number.isFinite);
    const horizon = Math.max(1, steps);
    let chart;
    let y;
    if (unbounded) {
      let lo = Math.min(...finite);
      let hi = Math.max(...finite);
      if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
      chart = frame(width, height, { left: 58, right: 10, top: 10, bottom: 40 }, [0, horizon], [lo, hi], title);
      axes(chart, ticks(0, horizon, 5).filter(Number.isInteger), ticks(lo, hi, 4), words.axis_step, words.loss);
      y = (loss) => chart.sy(loss);
    } else {
      const logs = finite.filter((loss) => loss > 0).map(Math.log10);
      let lo = logs.length ? Math.floor(Math.min(...logs)) : -1;
      let hi = logs.length ? Math.ceil(Math.max(...logs)) : 1;
      if (hi - lo < 2) [lo, hi] = [lo - 1, hi + 1];
      const decade = [1, 2, 5, 10, 20, 50, 100, 200].find((d) => (hi - lo) / d <= 5) || 500;
      lo = Math.floor(lo / decade) * decade;
      hi = Math.ceil(hi / decade) * decade;
      const decades = [];
      for (let d = lo; d <= hi; d += decade) decades.push(d);
      const zeros = finite.some((loss) => loss === 0);
      const floor = zeros ? lo - 0.2 * (hi - lo) : lo;
      chart = frame(width, height, { left: 58, right: 10, top: 10, bottom: 40 }, [0, horizon], [floor, hi], title);
      axes(chart, ticks(0, horizon, 5).filter(Number.isInteger), decades, words.axis_step, words.loss, (label, d) => {
        label.textContent = "10";
        svg("tspan", { dy: -6, "font-size": "0.78em" }, label).textContent = String(d).replace("-", "−");
      });
      if (zeros) {
        const row = round(chart.sy(floor));
        const labels = svg("g", { class: "race-tick", "aria-hidden": "true" }, chart.svg);
        svg("text", { x: chart.plot.left - 6, y: row + 4, "text-anchor": "end" }, labels).textContent = "0";
        const gap = round(chart.sy((floor + lo) / 2));
        svg("line", { class: "race-break", x1: chart.plot.left, x2: chart.plot.right, y1: gap, y2: gap }, chart.svg);
      }
      y = (loss) => chart.sy(loss > 0 ? Math.log10(loss) : floor);
    }
    const data = svg("g", { class: "race-data" }, chart.svg);
    losses.forEach((list, index) => {
      const shown = list.slice(0, cursor + 1);
      const path = shown.map((loss, step) => [chart.sx(step), y(loss)]);
      const group = svg("g", { class: `race-lane race-lane--${index}` }, data);
      svg("polyline", { class: "race-path", points: points(path), "stroke-dasharray": DASHES[index] }, group);
      if (list.length <= MARKERS_UP_TO + 1) for (const [x, yy] of path) svg("circle", { cx: round(x), cy: round(yy), r: 2, class: "race-dot" }, group);
    });
    return chart.svg;
  }

  /* The learning-rate page's parabola f(x) = 4x² with the iterates (x_k, f(x_k)) on it. */
  function drawParabola(rows, cursor, width, words) {
    const height = heightOf("parabola", width);
    const widest = Math.max(...rows.map((row) => Math.abs(row.x)));
    let reach = 1.1 * widest || 1;
    let top = 4 * reach * reach;
    if (!Number.isFinite(top)) [reach, top] = [widest, 4 * (widest * widest)]; // near the overflow
    const first = format(rows[0].x);
    const last = format(rows[Math.min(cursor, rows.length - 1)].x);
    const chart = frame(width, height, { left: 58, right: 12, top: 10, bottom: 40 }, [-reach, reach], [0, top], fill(words.preset.path_label, { n: rows.length, a: first, b: last }));
    axes(chart, ticks(-reach, reach, 4), ticks(0, top, 4), "x", "f(x)");
    const curve = [];
    for (let i = 0; i <= 160; i++) {
      const x = -reach + (2 * reach * i) / 160;
      curve.push([chart.sx(x), chart.sy(4 * x * x)]);
    }
    svg("polyline", { class: "race-curve", points: points(curve) }, chart.svg);
    const shown = rows.slice(0, cursor + 1).map((row) => [chart.sx(row.x), chart.sy(row.loss)]);
    const data = svg("g", { class: "race-data" }, chart.svg);
    const group = svg("g", { class: "race-lane race-lane--0" }, data);
    svg("polyline", { class: "race-path", points: points(shown) }, group);
    if (rows.length <= MARKERS_UP_TO + 1) for (const [x, y] of shown) svg("circle", { cx: round(x), cy: round(y), r: 2.5, class: "race-dot" }, group);
    svg("circle", { cx: round(shown[0][0]), cy: round(shown[0][1]), r: 4.5, class: "race-start" }, group);
    svg("circle", { cx: round(shown[shown.length - 1][0]), cy: round(shown[shown.length - 1][1]), r: 4.5, class: "race-end" }, group);
    return chart.svg;
  }

  // ---------------------------------------------------------------- replay

  /* Play, pause, step and reset over the steps of the last run; `draw(cursor)` shows them. */
  function transport(parent, words, draw) {
    const bar = html("div", { class: "race__transport" }, parent);
    const play = html("button", { type: "button", class: "md-button", "data-action": "play" }, bar, words.play);
    const step = html("button", { type: "button", class: "md-button", "data-action": "step" }, bar, words.step_button);
    const reset = html("button", { type: "button", class: "md-button", "data-action": "reset" }, bar, words.reset);
    const where = html("span", { class: "race__where", "data-role": "cursor" }, bar);
    let cursor = 0;
    let steps = 0;
    let frame = null;
    let drawing = false; // from begin() on: a widget's first draw is a task of its own (mountWhenNear)
    const show = () => {
      where.textContent = fill(words.at_step, { k: cursor, n: steps });
      if (drawing) draw(cursor);
    };
    const stop = () => {
      if (frame !== null) cancelAnimationFrame(frame);
      frame = null;
      play.textContent = words.play;
      play.dataset.action = "play";
    };
    const tick = () => {
      cursor = Math.min(steps, cursor + Math.max(1, Math.round(steps / SPEED)));
      show();
      frame = cursor < steps ? requestAnimationFrame(tick) : null;
      if (frame === null) stop();
    };
    play.addEventListener("click", () => {
      if (frame !== null) return stop();
      if (cursor >= steps) cursor = 0;
      play.textContent = words.pause;
      play.dataset.action = "pause";
      frame = requestAnimationFrame(tick);
    });
    step.addEventListener("click", () => {
      stop();
      cursor = cursor >= steps ? 0 : cursor + 1;
      show();
    });
    reset.addEventListener("click", () => {
      stop();
      cursor = 0;
      show();
    });
    return {
      /* A new run of `total` steps: shown whole. */
      load(total) {
        stop();
        steps = total;
        cursor = total;
        show();
      },
      redraw: show,
      /* Draw the charts, now and from now on. */
      begin() {
        drawing = true;
        show();
      },
      get cursor() {
        return cursor;
      },
    };
  }

  // ---------------------------------------------------------------- the race

  let counter = 0;
  const START = { min: -E.MAX_START, max: E.MAX_START };
  const MAX_SEED = 999999;
  const problem = (code, param) => (code ? { code, param } : null);
  const startCode = (code) => (code === "underflow" ? "start_underflow" : code); // its square underflows

  /* The race's state as the address keeps it: settings that differ from the defaults only. */
  function compact(race) {
    const out = {};
    for (const [key, value] of Object.entries(race)) if (key !== "optimizers" && key !== "start" && JSON.stringify(value) !== JSON.stringify(E.DEFAULT_RACE[key])) out[key] = value;
    out.start = race.start;
    out.optimizers = race.optimizers.map((lane) => {
      const settings = {};
      for (const param of E.OPTIMIZERS[lane.name].params) if (lane.settings[param.key] !== param.default) settings[param.key] = lane.settings[param.key];
      return { name: lane.name, settings };
    });
    return out;
  }

  function fromAddress() {
    try {
      const text = new URLSearchParams(location.search).get("race");
      const race = text ? JSON.parse(text) : null;
      if (!race || !E.SURFACES[race.surface] || race.surface === "parabola" || !Array.isArray(race.optimizers)) return null;
      race.optimizers = race.optimizers.filter((lane) => lane && E.OPTIMIZERS[lane.name]).slice(0, E.MAX_LANES);
      return race.optimizers.length ? race : null;
    } catch (error) {
      return null;
    }
  }

  function mountRace(root, words, ownsAddress) {
    const id = `race-${++counter}`;
    const key = root.getAttribute("data-race") || "race";
    const initial = E.normalize((ownsAddress && fromAddress()) || preset(key));
    root.classList.add("race");
    root.textContent = "";

    const form = html("form", { class: "race__form", novalidate: "", "aria-label": words.settings }, root);
    const course = html("fieldset", { class: "race__course" }, form);
    html("legend", {}, course, words.course);
    const surfaces = Object.keys(E.SURFACES).filter((name) => name !== "parabola");
    const fields = {
      surface: selectField(course, `${id}-surface`, "surface", words.surface, surfaces.map((name) => [name, words.surfaces[name]])),
      x0: numberField(course, `${id}-x0`, "x0", words.start_x, words),
      y0: numberField(course, `${id}-y0`, "y0", words.start_y, words),
      steps: numberField(course, `${id}-steps`, "steps", words.steps, words, [10, 20, 50, 100, 200, 300, 500, 1000]),
      seed: numberField(course, `${id}-seed`, "seed", words.seed, words),
      rounding: selectField(course, `${id}-rounding`, "rounding", words.rounding, [["fused", words.roundings.fused], ["separate", words.roundings.separate]]),
      fair: checkField(course, `${id}-fair`, "fair", words.fair),
    };
    fields.steps.input.inputMode = "numeric";
    fields.seed.input.inputMode = "numeric";
    const lanesBox = html("div", { class: "race__lanes" }, form);
    const add = html("button", { type: "button", class: "md-button", "data-action": "add" }, form, words.add);

    const alert = html("div", { id: `${id}-alert`, class: "race__alert", role: "alert" }, root);
    const output = html("div", { class: "race__output" }, root);
    const bar = transport(output, words, (cursor) => draw(cursor));
    const status = html("p", { class: "race__status", role: "status" }, output);
    const note = html("p", { class: "race__note" }, output);
    const charts = html("div", { class: "race__charts" }, output);
    const plotFigure = html("figure", { class: "race__figure race__figure--plot" }, charts);
    const plotHolder = chartHolder(plotFigure, "contour", { tabindex: "0", role: "group", "aria-label": words.plot_keys });
    const plotCaption = html("figcaption", {}, plotFigure);
    const lossFigure = html("figure", { class: "race__figure race__figure--wide" }, charts);
    const lossHolder = chartHolder(lossFigure, "loss");
    const lossCaption = html("figcaption", {}, lossFigure);
    const tableBox = html("div", { class: "race__table", tabindex: "0", role: "region", "aria-labelledby": `${id}-results` }, output);
    const table = html("table", { class: "race__results" }, tableBox);
    html("caption", { id: `${id}-results` }, table, words.results);
    const head = html("tr", {}, html("thead", {}, table));
    for (const name of [words.optimizer, "lr", "x", "y", words.loss]) html("th", { scope: "col" }, head, name);
    const body = html("tbody", {}, table);
    const copyBox = html("div", { class: "race__copy" }, output);
    const copy = html("button", { type: "button", class: "md-button", "data-race-copy": "" }, copyBox, words.copy);
    const copied = html("p", { class: "race__copied", role: "status" }, copyBox);
    const pre = html("pre", { "data-race-code": "", tabindex: "0", "aria-label": words.code_label, hidden: "" }, copyBox);

    let lanes = []; // {box, select, fields: {key: field}, name}
    let last = null; // the last valid run: {race, lanes}

    function laneLegend(lane, index) {
      lane.legend.textContent = fill(words.lane, { n: index + 1 });
      lane.remove.textContent = words.remove_short;
      lane.remove.setAttribute("aria-label", fill(words.remove, { n: index + 1 }));
      lane.box.className = `race__lane race-lane--${index}`;
      lane.box.dataset.lane = String(index);
    }

    function buildLane(spec) {
      const index = lanes.length;
      const box = html("fieldset", { class: "race__lane" }, lanesBox);
      const legend = html("legend", {}, box);
      html("span", { class: "race__swatch", "aria-hidden": "true" }, legend);
      const lane = { box, legend: html("span", {}, legend), fields: {} };
      const laneId = `${id}-lane${counter++}`;
      lane.select = selectField(box, `${laneId}-name`, "optimizer", words.optimizer, Object.entries(E.OPTIMIZERS).map(([name, o]) => [name, o.label]));
      lane.remove = html("button", { type: "button", class: "md-button race__remove", "data-action": "remove" }, box);
      lane.params = html("div", { class: "race__params" }, box);
      lane.remove.addEventListener("click", () => {
        lanes.splice(lanes.indexOf(lane), 1);
        box.remove();
        lanes.forEach(laneLegend);
        changed();
      });
      lane.select.input.addEventListener("change", () => {
        fillLane(lane, { name: lane.select.input.value, settings: { lr: PRESET_LR[lane.select.input.value] } }, laneId);
      });
      lanes.push(lane);
      laneLegend(lane, index);
      fillLane(lane, spec, laneId);
    }

    function fillLane(lane, spec, laneId) {
      lane.name = spec.name;
      lane.select.set(spec.name);
      lane.params.replaceChildren();
      lane.fields = {};
      const settings = E.settingsOf(spec.name, spec.settings);
      const main = html("div", { class: "race__params" }, lane.params);
      lane.more = html("details", { class: "race__more" }, lane.params);
      html("summary", {}, lane.more, words.more);
      const extra = html("div", { class: "race__params" }, lane.more);
      for (const param of E.OPTIMIZERS[spec.name].params) {
        const label = words.params[param.key] || param.key;
        const parent = param.key === "lr" ? main : extra;
        const field = param.type === "bool"
          ? checkField(parent, `${laneId}-${param.key}`, param.key, label)
          : numberField(parent, `${laneId}-${param.key}`, param.key, label, words, param.stops);
        field.param = param;
        field.set(settings[param.key]);
        lane.fields[param.key] = field;
      }
    }

    function setRace(race) {
      fields.surface.set(race.surface);
      fields.x0.set(race.start[0]);
      fields.y0.set(race.start[1]);
      fields.steps.set(race.steps);
      fields.seed.set(race.seed);
      fields.rounding.set(race.rounding);
      fields.fair.set(race.fair);
      lanes = [];
      lanesBox.replaceChildren();
      race.optimizers.forEach(buildLane);
    }

    /* The race the form describes, or the errors that keep it from running. */
    function read() {
      const errors = [];
      const number = (field, label, check) => {
        const parsed = parse(field.input.value);
        if (parsed.error) {
          errors.push({ input: field.input, text: message(words, parsed.error, label, field.input.value) });
          return null;
        }
        const code = check(parsed.value);
        if (code) {
          errors.push({ input: field.input, text: message(words, code.code || code, label, field.input.value, code.param, "float32") });
          return null;
        }
        return parsed.value;
      };
      const whole = (max) => (value) => (Number.isInteger(value) && value >= 0 && value <= max ? null : { code: "whole", param: { min: 0, max } });
      const start = (value) => problem(startCode(E.checkStart(value)), START);
      const noisy = fields.surface.input.value === "noisy";
      const race = {
        surface: fields.surface.input.value,
        start: [number(fields.x0, words.start_x, start), number(fields.y0, words.start_y, start)],
        steps: number(fields.steps, words.steps, whole(E.MAX_STEPS)),
        seed: noisy ? number(fields.seed, words.seed, whole(MAX_SEED)) : last ? last.race.seed : 0,
        rounding: fields.rounding.input.value || "fused",
        dtype: "float32",
        fair: fields.fair.input.checked,
        optimizers: [],
      };
      for (const lane of lanes) {
        const settings = {};
        for (const [key, field] of Object.entries(lane.fields)) {
          const label = words.params[key] || key;
          if (field.param.type === "bool") settings[key] = field.input.checked;
          else settings[key] = number(field, label, (value) => problem(E.checkValue(field.param, value), field.param));
        }
        for (const [key, code] of E.conflicts(lane.name, settings)) errors.push({ input: lane.fields[key].input, text: words.errors[code] });
        race.optimizers.push({ name: lane.name, settings });
      }
      return { race, errors };
    }

    function allFields() {
      return [...Object.values(fields), ...lanes.flatMap((lane) => [lane.select, ...Object.values(lane.fields)])];
    }

    function update() {
      add.disabled = lanes.length >= E.MAX_LANES;
      for (const lane of lanes) lane.remove.hidden = lanes.length < 2;
      fields.seed.field.hidden = fields.surface.input.value !== "noisy";
      const { race, errors } = read();
      showErrors(allFields(), errors, alert, words);
      for (const lane of lanes) if (errors.some((error) => lane.more.contains(error.input))) lane.more.open = true;
      if (errors.length) {
        if (last) root.dataset.stale = "true";
        return;
      }
      delete root.dataset.stale;
      const result = E.run(race);
      last = result;
      for (const lane of lanes) {
        const tuned = result.race.optimizers[lanes.indexOf(lane)].settings.lr;
        lane.fields.lr.disable(race.fair);
        if (race.fair) lane.fields.lr.set(tuned);
      }
      root.dataset.state = JSON.stringify(result.race);
      root.dataset.iterates = JSON.stringify(result.lanes.map((lane) => lane.iterates));
      if (ownsAddress && touched) history.replaceState(history.state, "", `${location.pathname}?race=${encodeURIComponent(JSON.stringify(compact(result.race)))}${location.hash}`);
      const rounding = race.rounding === "fused" ? words.rounded_fused : words.rounded_separate;
      note.textContent = fill(words.note, { rounding }) + (race.fair ? " " + fill(words.fair_note, { count: E.STOPS.lr.length, low: format(E.STOPS.lr[0]), high: format(E.STOPS.lr[E.STOPS.lr.length - 1]), steps: race.steps }) : "");
      status.textContent = summary(result);
      if (!pre.hidden) pre.textContent = E.python(result.race);
      bar.load(race.steps);
    }

    function summary(result) {
      const f = E.SURFACES[result.race.surface].f;
      return result.lanes
        .map((lane, index) => {
          const name = fill(words.lane_name, { n: index + 1, name: E.OPTIMIZERS[result.race.optimizers[index].name].label });
          const end = lane.iterates[lane.iterates.length - 1];
          if (lane.diverged !== null) return fill(words.diverged, { name, k: lane.diverged });
          return fill(words.done, { name, loss: format(f(end), 4), k: lane.iterates.length - 1 });
        })
        .join(" ");
    }

    function draw(cursor) {
      if (!last) return;
      const race = last.race;
      const surface = E.SURFACES[race.surface];
      const width = (holder) => Math.max(260, Math.floor(holder.clientWidth || 340));
      const label = fill(words.contour_label, { surface: words.surfaces[race.surface], count: last.lanes.length, x: format(race.start[0], 4), y: format(race.start[1], 4) });
      const widths = [width(plotHolder), width(lossHolder)]; // both read before either chart changes the layout
      const plot = drawContour(race.surface, race.start, last.lanes, cursor, widths[0], words, id, label);
      plotHolder.replaceChildren(plot.svg);
      plotHolder.chart = plot.chart;
      plotCaption.textContent = fill(words.contour_title, { surface: words.surfaces[race.surface] });
      lossHolder.replaceChildren(drawLoss(last.lanes, surface.f, surface.unbounded, race.steps, cursor, widths[1], words, words.loss_label));
      lossCaption.textContent = surface.unbounded ? words.loss_linear : words.loss_log;
      const rows = document.createDocumentFragment();
      last.lanes.forEach((lane, index) => {
        const at = lane.iterates[Math.min(cursor, lane.iterates.length - 1)];
        const settings = race.optimizers[index].settings;
        const tr = html("tr", { class: `race-lane--${index}` }, rows);
        const name = html("td", {}, tr);
        html("span", { class: "race__swatch", "aria-hidden": "true" }, name);
        name.append(fill(words.lane_name, { n: index + 1, name: E.OPTIMIZERS[race.optimizers[index].name].label }));
        html("td", {}, tr, format(settings.lr, 4));
        html("td", {}, tr, format(at[0]));
        html("td", {}, tr, format(at[1]));
        html("td", {}, tr, format(surface.f(at), 4));
      });
      body.replaceChildren(rows);
    }

    // Drag the start point, or move it with the arrow keys while the plot has the focus.
    function moveStart(x, y) {
      fields.x0.set(Number(x.toPrecision(3)));
      fields.y0.set(Number(y.toPrecision(3)));
      changed();
    }
    let dragging = false;
    const pointer = (event) => {
      const chart = plotHolder.chart;
      const box = plotHolder.querySelector("svg").getBoundingClientRect();
      const scale = box.width / Number(plotHolder.querySelector("svg").getAttribute("width"));
      moveStart(chart.ix((event.clientX - box.left) / scale), chart.iy((event.clientY - box.top) / scale));
    };
    plotHolder.addEventListener("pointerdown", (event) => {
      if (!plotHolder.chart) return;
      dragging = true;
      plotHolder.setPointerCapture(event.pointerId);
      pointer(event);
    });
    plotHolder.addEventListener("pointermove", (event) => dragging && pointer(event));
    plotHolder.addEventListener("pointerup", () => (dragging = false));
    plotHolder.addEventListener("keydown", (event) => {
      const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
      if (!moves[event.key] || !last) return;
      event.preventDefault();
      const view = viewOf(E.SURFACES[last.race.surface], last.race.start);
      const share = event.shiftKey ? 0.005 : 0.02;
      const [dx, dy] = moves[event.key];
      moveStart(last.race.start[0] + dx * share * (view[0][1] - view[0][0]), last.race.start[1] + dy * share * (view[1][1] - view[1][0]));
    });

    fields.surface.input.addEventListener("change", () => {
      const start = E.SURFACES[fields.surface.input.value].start;
      fields.x0.set(start[0]);
      fields.y0.set(start[1]);
    });
    add.addEventListener("click", () => {
      const used = new Set(lanes.map((lane) => lane.name));
      const name = Object.keys(E.OPTIMIZERS).find((candidate) => !used.has(candidate));
      buildLane({ name, settings: { lr: PRESET_LR[name] } });
      changed();
      lanes[lanes.length - 1].select.input.focus();
    });
    copy.addEventListener("click", async () => {
      if (!last) return;
      pre.textContent = E.python(last.race);
      pre.hidden = false;
      try {
        await navigator.clipboard.writeText(pre.textContent);
        copied.textContent = words.copied;
      } catch (error) {
        copied.textContent = words.copy_failed;
      }
    });
    let touched = false; // the address changes only once the reader changes the race
    const changed = () => {
      touched = true;
      update();
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      changed();
    });
    setRace(initial);
    update();
    redrawOnResize(charts, () => bar.redraw());
    return bar;
  }

  // ---------------------------------------------------------------- the playground presets

  const PLAYGROUNDS = {
    "learning-rate": { lr: "0.2", momentum: "0", nesterov: false, steps: "20", x0: "2" },
    momentum: { lr: "0.01", momentum: "0.9", nesterov: false, steps: "100", x0: "2" },
  };
  const PLANE_RATIO = 10; // the momentum page's plane starts at (x0, 10·x0)

  function mountPlayground(root, words) {
    const kind = root.getAttribute("data-playground") === "momentum" ? "momentum" : "learning-rate";
    const text = words.preset;
    const id = `race-${++counter}`;
    const defaults = PLAYGROUNDS[kind];
    root.classList.add("race", "race--playground");
    root.textContent = "";
    const form = html("form", { class: "race__form", novalidate: "", "aria-label": text.group }, root);
    const box = html("div", { class: "race__params" }, form);
    const sgdParams = E.OPTIMIZERS.sgd.params;
    const lrParam = { ...sgdParams[0], max: Infinity };
    const momentumParam = sgdParams[1];
    const labels = { lr: words.params.lr, momentum: words.params.momentum, steps: words.steps, x0: text.x0, nesterov: text.nesterov };
    const fields = {
      lr: numberField(box, `${id}-lr`, "lr", labels.lr, words, lrParam.stops),
      momentum: numberField(box, `${id}-momentum`, "momentum", labels.momentum, words, momentumParam.stops),
      steps: numberField(box, `${id}-steps`, "steps", labels.steps, words, [0, 10, 20, 50, 100, 200, 300, 500, 1000]),
      x0: numberField(box, `${id}-x0`, "x0", labels.x0, words),
      nesterov: checkField(box, `${id}-nesterov`, "nesterov", labels.nesterov),
    };
    fields.steps.input.inputMode = "numeric";
    fields.x0.input.inputMode = "text";
    for (const [name, field] of Object.entries(fields)) {
      field.set(defaults[name]);
      field.hint = `${id}-hint`;
    }
    html("p", { id: `${id}-hint`, class: "race__hint" }, root, fill(text.hint, { max_steps: E.MAX_STEPS, max_start: E.MAX_START }));
    const alert = html("div", { id: `${id}-alert`, class: "race__alert", role: "alert" }, root);
    const output = html("div", { class: "race__output" }, root);
    const bar = transport(output, words, (cursor) => draw(cursor));
    const status = html("p", { class: "race__status", role: "status" }, output);
    const charts = html("div", { class: "race__charts" }, output);
    const figure = (title, kind) => {
      const element = html("figure", { class: "race__figure" }, charts);
      const holder = chartHolder(element, kind);
      const caption = html("figcaption", {}, element, title);
      return { holder, caption };
    };
    const pathFigure = figure(text.path_title, "parabola");
    const lossFigure = figure(words.loss_log, "loss");
    const planeFigure = kind === "momentum" ? figure(text.plane_title, "contour") : null;
    const scroller = html("div", { class: "race__table", tabindex: "0", role: "region", "aria-labelledby": `${id}-caption` }, output);
    const table = html("table", { class: "race__iterates", "data-role": "iterates" }, scroller);
    html("caption", { id: `${id}-caption` }, table, text.table);
    const header = html("tr", {}, html("thead", {}, table));
    for (const name of [words.axis_step, "x", words.loss]) html("th", { scope: "col" }, header, name);
    const body = html("tbody", {}, table);
    const link = html("p", { class: "race__link" }, root);
    const anchor = html("a", {}, link, text.race_link);

    let last = null;

    function read() {
      const errors = [];
      const values = {};
      const checks = {
        lr: (value) => problem(E.checkValue(lrParam, value, "float64"), lrParam),
        momentum: (value) => problem(E.checkValue(momentumParam, value, "float64"), momentumParam),
        steps: (value) => (Number.isInteger(value) && value >= 0 && value <= E.MAX_STEPS ? null : { code: "whole", param: { min: 0, max: E.MAX_STEPS } }),
        x0: (value) => problem(startCode(E.checkStart(value, "float64")), START),
      };
      for (const name of ["lr", "momentum", "steps", "x0"]) {
        const input = fields[name].input;
        const parsed = parse(input.value);
        const problem = parsed.error ? { code: parsed.error } : checks[name](parsed.value);
        if (problem) errors.push({ input, text: message(words, problem.code, labels[name], input.value, problem.param, "float64") });
        else values[name] = parsed.value;
      }
      values.nesterov = fields.nesterov.input.checked;
      if (values.nesterov && values.momentum === 0) errors.push({ input: fields.nesterov.input, text: words.errors.nesterov });
      return { values, errors };
    }

    /* SGD from `start` on `surface` in float64; rows until the first step whose x or loss is not finite. */
    function sgd(values, surface, start) {
      const race = { surface, start, steps: values.steps, dtype: "float64", rounding: "separate", optimizers: [{ name: "sgd", settings: { lr: values.lr + 0, momentum: values.momentum, nesterov: values.nesterov } }] };
      const result = E.run(race);
      const lane = result.lanes[0];
      const f = E.SURFACES[surface].f;
      const rows = [];
      for (const w of lane.iterates) {
        const loss = f(w);
        if (!Number.isFinite(loss)) break;
        rows.push({ step: rows.length, x: w[0], y: w[1], w, loss });
      }
      const diverged = rows.length < lane.iterates.length ? rows.length : lane.diverged;
      return { race: result.race, rows, diverged, iterates: rows.map((row) => row.w) };
    }

    function update() {
      const { values, errors } = read();
      showErrors(Object.values(fields), errors, alert, words);
      if (errors.length) {
        if (last) root.dataset.stale = "true";
        return;
      }
      delete root.dataset.stale;
      const line = sgd(values, "parabola", [values.x0]);
      const plane = planeFigure ? sgd(values, "quadratic", [values.x0, PLANE_RATIO * values.x0]) : null;
      last = { values, line, plane };
      root.dataset.state = JSON.stringify(line.race);
      root.dataset.iterates = JSON.stringify([line.iterates]);
      const rows = document.createDocumentFragment();
      for (const row of line.rows) {
        const tr = html("tr", { "data-step": row.step, "data-x": String(row.x), "data-loss": String(row.loss) }, rows);
        html("td", {}, tr, String(row.step));
        html("td", {}, tr, format(row.x));
        html("td", {}, tr, format(row.loss));
      }
      body.replaceChildren(rows);
      if (line.diverged !== null) {
        status.textContent = fill(text.diverged, { k: line.diverged, last: line.diverged - 1 });
        root.dataset.diverged = String(line.diverged);
      } else {
        const end = line.rows[line.rows.length - 1];
        status.textContent = fill(end.step === 1 ? text.done_one : text.done, { n: end.step, x: format(end.x), loss: format(end.loss) });
        delete root.dataset.diverged;
      }
      const race = { surface: "quadratic", start: [values.x0, PLANE_RATIO * values.x0], steps: values.steps, optimizers: [{ name: "sgd", settings: { lr: values.lr + 0, momentum: values.momentum, nesterov: values.nesterov } }] };
      anchor.href = `${raceAddress()}?race=${encodeURIComponent(JSON.stringify(race))}`;
      bar.load(line.rows.length - 1);
    }

    function draw(cursor) {
      if (!last) return;
      const width = (holder) => Math.max(240, Math.floor(holder.clientWidth || 360));
      const [pathWidth, lossWidth, planeWidth] = [pathFigure, lossFigure, planeFigure].map((figure) => figure && width(figure.holder)); // before any chart changes the layout
      pathFigure.holder.replaceChildren(drawParabola(last.line.rows, cursor, pathWidth, words));
      const f = E.SURFACES.parabola.f;
      const first = format(last.line.rows[0].loss);
      const end = format(last.line.rows[Math.min(cursor, last.line.rows.length - 1)].loss);
      lossFigure.holder.replaceChildren(drawLoss([{ iterates: last.line.iterates }], f, false, last.values.steps, cursor, lossWidth, words, fill(text.loss_label, { a: first, b: end })));
      lossFigure.caption.textContent = words.loss_log + (last.line.rows.some((row) => row.loss === 0) ? text.loss_zero : "");
      if (planeFigure) {
        const at = (w) => `(${format(w[0], 4)}, ${format(w[1], 4)})`;
        const rows = last.plane.rows;
        const label = fill(text.plane_label, { n: rows.length, a: at(rows[0].w), b: at(rows[Math.min(cursor, rows.length - 1)].w) });
        planeFigure.holder.replaceChildren(drawContour("quadratic", rows[0].w, [{ iterates: last.plane.iterates }], cursor, planeWidth, words, id, label).svg);
      }
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      update();
    });
    update();
    redrawOnResize(charts, () => bar.redraw());
    return bar;
  }

  /* The race page of this page's language, from the language's root as Material's configuration gives it. */
  function raceAddress() {
    const config = document.getElementById("__config");
    const base = config ? JSON.parse(config.textContent).base : "..";
    return new URL(`${base}/race/`, location.href).pathname;
  }

  // Redraw at the new width when the layout changes (phone rotation, window resize, sidebar). The
  // width is the observer's, read after a layout: reading clientWidth here would force one.
  function redrawOnResize(element, redraw) {
    if (typeof ResizeObserver !== "function") return;
    let seen = null;
    new ResizeObserver(([entry]) => {
      if (seen !== null && entry.contentRect.width !== seen) redraw();
      seen = entry.contentRect.width;
    }).observe(element);
  }

  // A widget is built when it comes within a screen of the viewport, not at load: building and
  // drawing a race is the page's longest task on a phone (Lighthouse's 4x-throttled trace), and most
  // readers never scroll to it. One within two screens of the top at load is built at once, so nothing
  // in view shifts after the first paint. Its charts are drawn in a task of their own once the
  // controls have been laid out and painted: in the same task as the controls, that draw had to lay
  // out the page first, and the one task was the page's longest. Their space is held meanwhile
  // (chartHolder). `data-race-ready` says the widget is built and drawn.
  function mountWhenNear(root, mount) {
    if (root.dataset.raceBuilt) return;
    const build = () => {
      if (root.dataset.raceBuilt) return;
      root.dataset.raceBuilt = "true";
      const bar = mount();
      requestAnimationFrame(() =>
        setTimeout(() => {
          bar.begin();
          root.dataset.raceReady = "true";
        }),
      );
    };
    const near = () => root.getBoundingClientRect().top < 2 * innerHeight;
    if (typeof IntersectionObserver !== "function" || near()) return build();
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        observer.disconnect();
        build();
      },
      { rootMargin: "100% 0px" },
    );
    observer.observe(root);
  }

  function mountAll() {
    const words = WORDS();
    const owner = document.querySelectorAll("[data-race]").length === 1;
    document.querySelectorAll("[data-race]").forEach((root) => mountWhenNear(root, () => mountRace(root, words, owner)));
    document.querySelectorAll("[data-playground]").forEach((root) => mountWhenNear(root, () => mountPlayground(root, words)));
  }

  // Material's instant navigation would swap pages without reloading scripts: mount on every page.
  if (typeof document$ !== "undefined" && document$ && typeof document$.subscribe === "function") document$.subscribe(mountAll);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
