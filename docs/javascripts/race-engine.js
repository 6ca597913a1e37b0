/* The optimizer race's engine: torch.optim's update rules in PyTorch's own float32 arithmetic.
 *
 * Pure arithmetic, no DOM: the page (docs/javascripts/race.js) and Node (tests/test_race.py) load
 * this same file. Every optimizer follows its `_single_tensor_<name>` function of torch 2.13
 * (torch/optim/<name>.py), the path torch takes for CPU tensors by default, one operation at a
 * time, each rounded to float32 with Math.fround, as torch's kernel rounds it:
 *
 *   a.add(b, alpha=s)          fma(s, b, a)          (separate: a + s*b, two roundings)
 *   a.addcmul(b, c, value=s)   fma(s*b, c, a)        (separate: a + (s*b)*c)
 *   a.addcdiv(b, c, value=s)   a + (s*b)/c           (both)
 *   a.lerp(b, w), |w| < 0.5    fma(w, b - a, a)      (separate: a + w*(b - a))
 *   a.lerp(b, w), |w| >= 0.5   fma(-(b - a), 1 - w, b)  (separate: b - (b - a)*(1 - w))
 *   s / a                      (1/a) * s             (Tensor.__rtruediv__ is reciprocal, then mul)
 *   a.norm(2)                  sqrt(fma(y, y, x*x))  (separate: sqrt(x*x + y*y))
 *
 * "fused" is what torch's AVX2 and AVX-512 kernels compute, "separate" what its default kernels
 * compute (ATEN_CPU_CAPABILITY=default). A Python float that torch passes to a kernel is rounded
 * to float32 there; what the optimizer computes in Python (bias corrections, step sizes) stays a
 * double, as it does here. The presets of the learning-rate and momentum pages run in float64.
 *
 * Surfaces give their gradients as explicit float32 formulas in a fixed order; `python` holds the
 * same formula as torch code (snippets/race/trajectories.py has the same text, and a test checks it).
 */
(function (root, factory) {
  const engine = factory();
  if (typeof module === "object" && module.exports) module.exports = engine;
  else root.RaceEngine = engine;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // ------------------------------------------------------------ float32 arithmetic

  const F32 = new Float32Array(1);
  const U32 = new Uint32Array(F32.buffer);
  const TINY32 = 2 ** -126; // the smallest normal float32
  const MAX32 = (2 - 2 ** -23) * 2 ** 127;

  /* The float32 next to r (a float32) in the direction of s. */
  function neighbour(r, s) {
    if (r === 0) return s > 0 ? 2 ** -149 : -(2 ** -149);
    F32[0] = r;
    U32[0] += s > r === r > 0 ? 1 : -1;
    return F32[0];
  }

  /* a·b + c rounded once to float32, for float32 a, b, c. The product is exact in a double; the sum
   * s and its error e (TwoSum) hold a + b·c exactly, and fround(s) is its correct rounding unless s
   * falls exactly halfway between two float32s, where the sign of e decides. */
  function fma32(a, b, c) {
    const p = a * b;
    const s = p + c;
    const r = Math.fround(s);
    if (!Number.isFinite(s) || r === s) return r;
    const v = s - p;
    const e = p - (s - v) + (c - v);
    if (e === 0) return r;
    const other = neighbour(r, s);
    if (!Number.isFinite(other) || Math.abs(s - r) !== Math.abs(other - s)) return r;
    return e > 0 === other > r ? other : r;
  }

  /* torch's elementwise operations on one element, in `dtype` ("float32" or "float64") with
   * `rounding` ("fused" or "separate"; float64 always rounds separately). */
  function arithmetic(dtype, rounding) {
    const r = dtype === "float64" ? (v) => v : Math.fround;
    const fma = dtype === "float32" && rounding === "fused" ? fma32 : (a, b, c) => r(r(a * b) + c);
    return {
      r,
      fused: fma === fma32,
      add: (a, b, s) => fma(r(s), b, a), // a.add(b, alpha=s)
      addcmul: (a, b, c, s) => fma(r(r(s) * b), c, a),
      addcdiv: (a, b, c, s) => r(a + r(r(r(s) * b) / c)),
      lerp(a, b, w) {
        const weight = r(w);
        const d = r(b - a);
        return Math.abs(weight) < 0.5 ? fma(weight, d, a) : fma(-d, r(1 - weight), b);
      },
      norm(v) {
        let sum = 0;
        for (const x of v) sum = fma(x, x, sum);
        return r(Math.sqrt(sum));
      },
    };
  }

  const sign = (v) => (v > 0 ? 1 : v < 0 ? -1 : 0); // torch.sign: 0 for ±0 and NaN

  // ------------------------------------------------------------ seeded noise

  /* xorshift32 seeded by a multiplicative hash of the seed; uniform() is in [-1, 1) with 24 bits,
   * exact in float32. The snippet's Noise class draws the same sequence. */
  function Noise(seed) {
    let state = Math.imul(seed + 1, 0x9e3779b9) >>> 0;
    return {
      uniform() {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        return (state >>> 8) / 2 ** 23 - 1;
      },
    };
  }

  // ------------------------------------------------------------ surfaces

  /* Each surface: its loss (a double, for the charts), its float32 gradient, the same gradient as
   * torch code, a domain to draw, a start, and its minima. */
  const SURFACES = {
    quadratic: {
      f: ([x, y]) => 4 * x * x + 0.04 * y * y,
      grad: ([x, y], { r }) => [r(r(8) * x), r(r(0.08) * y)],
      python: ["return torch.tensor([8.0, 0.08]) * p"],
      domain: [[-3, 3], [-25, 25]],
      start: [2, 20],
      minima: [[0, 0]],
    },
    rosenbrock: {
      f: ([x, y]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
      grad([x, y], { r }) {
        const t = r(y - r(x * x));
        return [r(r(-2 * r(1 - x)) - r(r(400 * x) * t)), r(200 * t)];
      },
      python: ["x, y = p", "t = y - x * x", "return torch.stack([-2 * (1 - x) - 400 * x * t, 200 * t])"],
      domain: [[-2, 2], [-1, 3]],
      start: [-1.5, 2.5],
      minima: [[1, 1]],
    },
    beale: {
      f: ([x, y]) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
      grad([x, y], { r }) {
        const y2 = r(y * y);
        const y3 = r(y2 * y);
        const a = r(r(1.5 - x) + r(x * y));
        const b = r(r(2.25 - x) + r(x * y2));
        const c = r(r(2.625 - x) + r(x * y3));
        const gx = r(r(r(r(2 * a) * r(y - 1)) + r(r(2 * b) * r(y2 - 1))) + r(r(2 * c) * r(y3 - 1)));
        const gy = r(r(r(r(2 * a) * x) + r(r(2 * b) * r(r(2 * x) * y))) + r(r(2 * c) * r(r(3 * x) * y2)));
        return [gx, gy];
      },
      python: [
        "x, y = p",
        "y2 = y * y",
        "y3 = y2 * y",
        "a = 1.5 - x + x * y",
        "b = 2.25 - x + x * y2",
        "c = 2.625 - x + x * y3",
        "gx = 2 * a * (y - 1) + 2 * b * (y2 - 1) + 2 * c * (y3 - 1)",
        "gy = 2 * a * x + 2 * b * (2 * x * y) + 2 * c * (3 * x * y2)",
        "return torch.stack([gx, gy])",
      ],
      domain: [[-4.5, 4.5], [-4.5, 4.5]],
      start: [1, 1.5],
      minima: [[3, 0.5]],
    },
    himmelblau: {
      f: ([x, y]) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
      grad([x, y], { r }) {
        const a = r(r(r(x * x) + y) - 11);
        const b = r(r(x + r(y * y)) - 7);
        return [r(r(r(4 * x) * a) + r(2 * b)), r(r(2 * a) + r(r(4 * y) * b))];
      },
      python: [
        "x, y = p",
        "a = x * x + y - 11",
        "b = x + y * y - 7",
        "return torch.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b])",
      ],
      domain: [[-5, 5], [-5, 5]],
      start: [0, 0],
      minima: [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]],
    },
    saddle: {
      f: ([x, y]) => x * x - y * y,
      grad: ([x, y], { r }) => [r(2 * x), r(-2 * y)],
      python: ["x, y = p", "return torch.stack([2 * x, -2 * y])"],
      domain: [[-2, 2], [-2, 2]],
      start: [-1.5, 0.01],
      minima: [],
      unbounded: true,
    },
    noisy: {
      f: ([x, y]) => 0.5 * x * x + 2 * y * y,
      grad: ([x, y], { r }, noise) => [r(x + noise.uniform()), r(r(4 * y) + noise.uniform())],
      python: ["x, y = p", "return torch.stack([x + noise.uniform(), 4 * y + noise.uniform()])"],
      domain: [[-3, 3], [-3, 3]],
      start: [2.5, 2],
      minima: [[0, 0]],
      noisy: true,
    },
    // The learning-rate page's f(x) = 4x², one coordinate (its preset only).
    parabola: {
      f: ([x]) => 4 * (x * x), // as torch computes 4 * x**2
      grad: ([x], { r }) => [r(r(8) * x)],
      python: ["return 8 * p"],
      domain: [[-3, 3]],
      start: [2],
      minima: [[0]],
    },
  };

  // torch's float32 Tensor.sqrt is not always correctly rounded (it depends on the CPU), the
  // race's Math.sqrt is: copy-as-PyTorch gives torch the correctly rounded root when a lane takes one.
  const SQRT_PYTHON = [
    "# torch's float32 square root can be one unit off in the last place, depending on the CPU;",
    "# the race's is correctly rounded. With these two lines torch's is too (a root taken in",
    "# float64 and rounded to float32 is), and it prints the race's numbers exactly.",
    "torch.Tensor.sqrt = lambda self: torch.sqrt(self.double()).to(self.dtype)",
    "torch.Tensor.sqrt_ = lambda self: self.copy_(torch.sqrt(self.double()))",
  ];

  // The Noise class as the snippet writes it: copy-as-PyTorch prints it for the noisy surface.
  const NOISE_PYTHON = [
    "class Noise:",
    '    """xorshift32 from a hashed seed: uniform() draws from [-1, 1), 24 bits, exact in float32."""',
    "",
    "    def __init__(self, seed):",
    "        self.state = (seed + 1) * 0x9E3779B9 & 0xFFFFFFFF",
    "",
    "    def uniform(self):",
    "        state = self.state",
    "        state ^= state << 13 & 0xFFFFFFFF",
    "        state ^= state >> 17",
    "        state ^= state << 5 & 0xFFFFFFFF",
    "        self.state = state",
    "        return (state >> 8) / 2**23 - 1",
  ];

  // ------------------------------------------------------------ optimizers

  /* The values a slider steps through; a typed field takes any value in the parameter's range. */
  const STOPS = {
    lr: [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    beta: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999],
    unit: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    eps: [0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 0.1],
    decay: [0, 1e-5, 1e-4, 1e-3, 4e-3, 0.01, 0.1, 1],
    big: [0, 1, 10, 100, 1e3, 1e4, 1e6],
  };

  /* A numeric parameter: key (torch's name, or a tuple's part), default, range [min, max] with
   * `open` naming the ends that are excluded, and the slider's stops. */
  const num = (key, fallback, min, max, stops, open = "") => ({ key, type: "number", default: fallback, min, max, stops, open });
  const flag = (key, fallback = false) => ({ key, type: "bool", default: fallback });
  const lr = (fallback) => num("lr", fallback, 0, 10, STOPS.lr);
  const BETAS = (b1, b2) => [num("beta1", b1, 0, 1, STOPS.beta, "max"), num("beta2", b2, 0, 1, STOPS.beta, "max")];
  const eps = (fallback) => num("eps", fallback, 0, 1, STOPS.eps);
  const decay = (fallback = 0, key = "weight_decay") => num(key, fallback, 0, 10, STOPS.decay);
  const MAXIMIZE = flag("maximize");

  /* Adam, AdamW (decoupled weight decay) and their amsgrad variant. */
  function adamStep(p, g, st, s, A, decoupled) {
    st.step += 1;
    const bc1 = 1 - s.beta1 ** st.step;
    const bc2 = 1 - s.beta2 ** st.step;
    const stepSize = s.lr / bc1;
    const bc2Sqrt = bc2 ** 0.5;
    for (let i = 0; i < p.length; i++) {
      let grad = g[i];
      if (s.weight_decay !== 0) {
        if (decoupled) p[i] = A.r(p[i] * A.r(1 - s.lr * s.weight_decay));
        else grad = A.add(grad, p[i], s.weight_decay);
      }
      st.m[i] = A.lerp(st.m[i], grad, 1 - s.beta1);
      st.v[i] = A.addcmul(A.r(st.v[i] * A.r(s.beta2)), grad, grad, 1 - s.beta2);
      let v = st.v[i];
      if (s.amsgrad) v = st.vmax[i] = Math.max(st.vmax[i], st.v[i]);
      const denom = A.r(A.r(A.r(Math.sqrt(v)) / A.r(bc2Sqrt)) + A.r(s.eps));
      p[i] = A.addcdiv(p[i], st.m[i], denom, -stepSize);
    }
  }
  const zeros = (n) => new Array(n).fill(0);
  const ADAM_PARAMS = (wd) => [lr(1e-3), ...BETAS(0.9, 0.999), eps(1e-8), decay(wd), flag("amsgrad"), MAXIMIZE];

  const OPTIMIZERS = {
    sgd: {
      label: "SGD",
      torch: "torch.optim.SGD",
      params: [lr(1e-3), num("momentum", 0, 0, 1, STOPS.beta, "max"), num("dampening", 0, 0, 1, STOPS.unit), decay(), flag("nesterov"), MAXIMIZE],
      init: () => ({ buf: null }),
      step(p, g, st, s, A) {
        const d = [];
        for (let i = 0; i < p.length; i++) {
          let grad = g[i];
          if (s.weight_decay !== 0) grad = A.add(grad, p[i], s.weight_decay);
          d.push(grad);
        }
        if (s.momentum !== 0) {
          if (st.buf === null) st.buf = d.slice();
          else for (let i = 0; i < p.length; i++) st.buf[i] = A.add(A.r(st.buf[i] * A.r(s.momentum)), d[i], 1 - s.dampening);
          for (let i = 0; i < p.length; i++) d[i] = s.nesterov ? A.add(d[i], st.buf[i], s.momentum) : st.buf[i];
        }
        for (let i = 0; i < p.length; i++) p[i] = A.add(p[i], d[i], -s.lr);
      },
    },
    adagrad: {
      label: "Adagrad",
      torch: "torch.optim.Adagrad",
      roots: true, // takes Tensor.sqrt
      params: [lr(1e-2), decay(0, "lr_decay"), decay(), num("initial_accumulator_value", 0, 0, 10, STOPS.decay), eps(1e-10), MAXIMIZE],
      init: (n, s, A) => ({ step: 0, sum: new Array(n).fill(A.r(s.initial_accumulator_value)) }),
      step(p, g, st, s, A) {
        st.step += 1;
        const clr = s.lr / (1 + (st.step - 1) * s.lr_decay);
        for (let i = 0; i < p.length; i++) {
          let grad = g[i];
          if (s.weight_decay !== 0) grad = A.add(grad, p[i], s.weight_decay);
          st.sum[i] = A.addcmul(st.sum[i], grad, grad, 1);
          const std = A.r(A.r(Math.sqrt(st.sum[i])) + A.r(s.eps));
          p[i] = A.addcdiv(p[i], grad, std, -clr);
        }
      },
    },
    rmsprop: {
      label: "RMSprop",
      torch: "torch.optim.RMSprop",
      roots: true, // takes Tensor.sqrt
      params: [lr(1e-2), num("alpha", 0.99, 0, 1, STOPS.beta), eps(1e-8), decay(), num("momentum", 0, 0, 1, STOPS.beta, "max"), flag("centered"), MAXIMIZE],
      init: (n) => ({ step: 0, square: zeros(n), mean: zeros(n), buf: zeros(n) }),
      step(p, g, st, s, A) {
        st.step += 1;
        for (let i = 0; i < p.length; i++) {
          let grad = g[i];
          if (s.weight_decay !== 0) grad = A.add(grad, p[i], s.weight_decay);
          st.square[i] = A.addcmul(A.r(st.square[i] * A.r(s.alpha)), grad, grad, 1 - s.alpha);
          let avg;
          if (s.centered) {
            st.mean[i] = A.lerp(st.mean[i], grad, 1 - s.alpha);
            avg = A.r(Math.sqrt(A.addcmul(st.square[i], st.mean[i], st.mean[i], -1)));
          } else avg = A.r(Math.sqrt(st.square[i]));
          avg = A.r(avg + A.r(s.eps));
          if (s.momentum > 0) {
            st.buf[i] = A.addcdiv(A.r(st.buf[i] * A.r(s.momentum)), grad, avg, 1);
            p[i] = A.add(p[i], st.buf[i], -s.lr);
          } else p[i] = A.addcdiv(p[i], grad, avg, -s.lr);
        }
      },
    },
    adadelta: {
      label: "Adadelta",
      torch: "torch.optim.Adadelta",
      roots: true, // takes Tensor.sqrt
      params: [lr(1), num("rho", 0.9, 0, 1, STOPS.beta), eps(1e-6), decay(), MAXIMIZE],
      init: (n) => ({ step: 0, square: zeros(n), delta: zeros(n) }),
      step(p, g, st, s, A) {
        st.step += 1;
        for (let i = 0; i < p.length; i++) {
          let grad = g[i];
          if (s.weight_decay !== 0) grad = A.add(grad, p[i], s.weight_decay);
          st.square[i] = A.addcmul(A.r(st.square[i] * A.r(s.rho)), grad, grad, 1 - s.rho);
          const std = A.r(Math.sqrt(A.r(st.square[i] + A.r(s.eps))));
          let delta = A.r(Math.sqrt(A.r(st.delta[i] + A.r(s.eps))));
          delta = A.r(A.r(delta / std) * grad);
          st.delta[i] = A.addcmul(A.r(st.delta[i] * A.r(s.rho)), delta, delta, 1 - s.rho);
          p[i] = A.add(p[i], delta, -s.lr);
        }
      },
    },
    adam: {
      label: "Adam",
      torch: "torch.optim.Adam",
      roots: true, // takes Tensor.sqrt
      params: ADAM_PARAMS(0),
      init: (n) => ({ step: 0, m: zeros(n), v: zeros(n), vmax: zeros(n) }),
      step: (p, g, st, s, A) => adamStep(p, g, st, s, A, false),
    },
    adamw: {
      label: "AdamW",
      torch: "torch.optim.AdamW",
      roots: true, // takes Tensor.sqrt
      params: ADAM_PARAMS(1e-2),
      init: (n) => ({ step: 0, m: zeros(n), v: zeros(n), vmax: zeros(n) }),
      step: (p, g, st, s, A) => adamStep(p, g, st, s, A, true),
    },
    adamax: {
      label: "Adamax",
      torch: "torch.optim.Adamax",
      params: [lr(2e-3), ...BETAS(0.9, 0.999), eps(1e-8), decay(), MAXIMIZE],
      init: (n) => ({ step: 0, m: zeros(n), u: zeros(n) }),
      step(p, g, st, s, A) {
        st.step += 1;
        const clr = s.lr / (1 - s.beta1 ** st.step);
        for (let i = 0; i < p.length; i++) {
          let grad = g[i];
          if (s.weight_decay !== 0) grad = A.add(grad, p[i], s.weight_decay);
          st.m[i] = A.lerp(st.m[i], grad, 1 - s.beta1);
          st.u[i] = Math.max(A.r(st.u[i] * A.r(s.beta2)), A.r(Math.abs(grad) + A.r(s.eps)));
          p[i] = A.addcdiv(p[i], st.m[i], st.u[i], -clr);
        }
      },
    },
    nadam: {
      label: "NAdam",
      torch: "torch.optim.NAdam",
      roots: true, // takes Tensor.sqrt
      params: [lr(2e-3), ...BETAS(0.9, 0.999), eps(1e-8), decay(), decay(4e-3, "momentum_decay"), flag("decoupled_weight_decay"), MAXIMIZE],
      init: (n) => ({ step: 0, product: 1, m: zeros(n), v: zeros(n) }),
      step(p, g, st, s, A) {
        st.step += 1;
        const step = st.step;
        const bc2 = 1 - s.beta2 ** step;
        const mu = s.beta1 * (1 - 0.5 * 0.96 ** (step * s.momentum_decay));
        const muNext = s.beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * s.momentum_decay));
        st.product = A.r(st.product * A.r(mu)); // a float32 tensor in torch
        const productNext = st.product * muNext;
        const gradValue = (-s.lr * (1 - mu)) / (1 - st.product);
        const avgValue = (-s.lr * muNext) / (1 - productNext);
        for (let i = 0; i < p.length; i++) {
          let grad = g[i];
          if (s.weight_decay !== 0) {
            if (s.decoupled_weight_decay) p[i] = A.r(p[i] * A.r(1 - s.lr * s.weight_decay));
            else grad = A.add(grad, p[i], s.weight_decay);
          }
          st.m[i] = A.lerp(st.m[i], grad, 1 - s.beta1);
          st.v[i] = A.addcmul(A.r(st.v[i] * A.r(s.beta2)), grad, grad, 1 - s.beta2);
          const denom = A.r(A.r(Math.sqrt(A.r(st.v[i] / A.r(bc2)))) + A.r(s.eps));
          p[i] = A.addcdiv(p[i], grad, denom, gradValue);
          p[i] = A.addcdiv(p[i], st.m[i], denom, avgValue);
        }
      },
    },
    radam: {
      label: "RAdam",
      torch: "torch.optim.RAdam",
      roots: true, // takes Tensor.sqrt
      params: [lr(1e-3), ...BETAS(0.9, 0.999), eps(1e-8), decay(), flag("decoupled_weight_decay"), MAXIMIZE],
      init: (n) => ({ step: 0, m: zeros(n), v: zeros(n) }),
      step(p, g, st, s, A) {
        st.step += 1;
        const step = st.step;
        const bc1 = 1 - s.beta1 ** step;
        const bc2 = 1 - s.beta2 ** step;
        const rhoInf = 2 / (1 - s.beta2) - 1;
        const rhoT = rhoInf - (2 * step * s.beta2 ** step) / bc2;
        const rect = (((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) ** 0.5;
        for (let i = 0; i < p.length; i++) {
          let grad = g[i];
          if (s.weight_decay !== 0) {
            if (s.decoupled_weight_decay) p[i] = A.r(p[i] * A.r(1 - s.lr * s.weight_decay));
            else grad = A.add(grad, p[i], s.weight_decay);
          }
          st.m[i] = A.lerp(st.m[i], grad, 1 - s.beta1);
          st.v[i] = A.addcmul(A.r(st.v[i] * A.r(s.beta2)), grad, grad, 1 - s.beta2);
          const corrected = A.r(st.m[i] / A.r(bc1));
          let update = A.r(corrected * A.r(s.lr));
          if (rhoT > 5) {
            const root = A.r(A.r(Math.sqrt(st.v[i])) + A.r(s.eps));
            const adaptive = A.r(A.r(1 / root) * A.r(bc2 ** 0.5)); // float / tensor: reciprocal, then mul
            update = A.r(A.r(update * adaptive) * A.r(rect));
          }
          p[i] = A.add(p[i], update, -1);
        }
      },
    },
    asgd: {
      label: "ASGD",
      torch: "torch.optim.ASGD",
      params: [lr(1e-2), num("lambd", 1e-4, 0, 10, STOPS.decay), num("alpha", 0.75, 0, 10, STOPS.unit), num("t0", 1e6, 0, 1e9, STOPS.big), decay(), MAXIMIZE],
      // The running average ax that ASGD keeps does not feed back into the parameter: left out.
      init: (n, s, A) => ({ step: 0, eta: A.r(s.lr) }),
      step(p, g, st, s, A) {
        st.step += 1;
        for (let i = 0; i < p.length; i++) {
          let grad = g[i];
          if (s.weight_decay !== 0) grad = A.add(grad, p[i], s.weight_decay);
          p[i] = A.r(p[i] * A.r(1 - s.lambd * st.eta));
          p[i] = A.add(p[i], grad, -st.eta);
        }
        st.eta = A.r(s.lr / (1 + s.lambd * s.lr * st.step) ** s.alpha);
      },
    },
    rprop: {
      label: "Rprop",
      torch: "torch.optim.Rprop",
      params: [
        lr(1e-2),
        num("etaminus", 0.5, 0, 1, STOPS.unit, "minmax"),
        num("etaplus", 1.2, 1, 10, [1.1, 1.2, 1.5, 2, 3, 5], "min"),
        num("step_size_min", 1e-6, 0, 10, STOPS.eps),
        num("step_size_max", 50, 0, 1e3, [0.1, 1, 10, 50, 100, 1e3], "min"),
        MAXIMIZE,
      ],
      init: (n, s, A) => ({ step: 0, prev: zeros(n), size: new Array(n).fill(A.r(s.lr)) }),
      step(p, g, st, s, A) {
        st.step += 1;
        const plus = A.r(s.etaplus);
        const minus = A.r(s.etaminus);
        for (let i = 0; i < p.length; i++) {
          const direction = sign(A.r(g[i] * st.prev[i]));
          const factor = direction > 0 ? plus : direction < 0 ? minus : 1;
          st.size[i] = Math.min(Math.max(A.r(st.size[i] * factor), A.r(s.step_size_min)), A.r(s.step_size_max));
          const grad = factor === minus ? 0 : g[i];
          p[i] = A.r(p[i] - sign(grad) * st.size[i]);
          st.prev[i] = grad;
        }
      },
    },
    adafactor: {
      label: "Adafactor",
      torch: "torch.optim.Adafactor",
      params: [lr(1e-2), num("beta2_decay", -0.8, -10, 0, [-2, -1.5, -1, -0.8, -0.5, -0.2, 0]), num("eps2", 1e-3, 0, 1, STOPS.eps), num("d", 1, 1, 100, [1, 1.5, 2, 5, 10, 100]), decay(), MAXIMIZE],
      init: (n) => ({ step: 0, variance: zeros(n) }),
      step(p, g, st, s, A) {
        st.step += 1;
        const step = st.step;
        const n = p.length;
        const eps1 = 2 ** -23; // torch.finfo(torch.float32).eps
        const weight = step ** s.beta2_decay;
        const rho = Math.min(s.lr, 1 / step ** 0.5);
        const alpha = Math.max(s.eps2, A.norm(p) / n ** 0.5) * rho;
        if (s.weight_decay !== 0) for (let i = 0; i < n; i++) p[i] = A.r(p[i] * A.r(1 - s.lr * s.weight_decay));
        const update = [];
        for (let i = 0; i < n; i++) {
          st.variance[i] = A.lerp(st.variance[i], A.r(g[i] * g[i]), weight);
          const clamped = Math.max(st.variance[i], A.r(eps1 * eps1));
          update.push(A.r(A.r(1 / A.r(Math.sqrt(clamped))) * g[i]));
        }
        const denom = Math.max(1, A.norm(update) / (n ** 0.5 * s.d));
        for (let i = 0; i < n; i++) p[i] = A.add(p[i], update[i], -alpha / denom);
      },
    },
    // lion-pytorch's Lion (the handbook's Lion page checks its reference against the paper).
    lion: {
      label: "Lion",
      torch: "Lion",
      python: "from lion_pytorch import Lion  # pip install lion-pytorch",
      params: [num("lr", 1e-4, 0, 10, STOPS.lr, "min"), num("beta1", 0.9, 0, 1, STOPS.beta), num("beta2", 0.99, 0, 1, STOPS.beta), decay()],
      init: (n) => ({ m: zeros(n) }),
      step(p, g, st, s, A) {
        for (let i = 0; i < p.length; i++) {
          p[i] = A.r(p[i] * A.r(1 - s.lr * s.weight_decay));
          const update = sign(A.add(A.r(st.m[i] * A.r(s.beta1)), g[i], 1 - s.beta1));
          p[i] = A.add(p[i], update, -s.lr);
          st.m[i] = A.add(A.r(st.m[i] * A.r(s.beta2)), g[i], 1 - s.beta2);
        }
      },
    },
  };

  // Parameters that torch takes as one tuple.
  const TUPLES = {
    betas: ["beta1", "beta2"],
    etas: ["etaminus", "etaplus"],
    step_sizes: ["step_size_min", "step_size_max"],
    eps: ["eps1", "eps2"], // Adafactor's (eps1 is None: torch.finfo(float32).eps)
  };

  // ------------------------------------------------------------ settings

  /* An optimizer's settings: its defaults overridden by `given` (unknown keys are ignored). */
  function settingsOf(name, given = {}) {
    const settings = {};
    for (const param of OPTIMIZERS[name].params) settings[param.key] = param.key in given ? given[param.key] : param.default;
    return settings;
  }

  /* The problem with one value of a parameter, or null: "range", "underflow" (a nonzero value that
   * float32 cannot hold as a normal number) or "overflow". */
  function checkValue(param, value, dtype = "float32") {
    if (param.type === "bool") return typeof value === "boolean" ? null : "range";
    if (typeof value !== "number" || Number.isNaN(value)) return "range";
    const limit = limits(dtype);
    if (Math.abs(value) > limit.max) return "overflow";
    if (value !== 0 && Math.abs(value) < limit.tiny) return "underflow";
    const low = param.open.includes("min") ? value > param.min : value >= param.min;
    const high = param.open.includes("max") ? value < param.max : value <= param.max;
    return low && high ? null : "range";
  }

  const limits = (dtype) => (dtype === "float64" ? { tiny: 2 ** -1022, max: Number.MAX_VALUE } : { tiny: TINY32, max: MAX32 });

  /* The problem with a start coordinate, or null: beyond the surface's reach, or so small (but not
   * 0) that its square underflows: the loss and the steps it scales would lose their digits. */
  function checkStart(value, dtype = "float32", reach = MAX_START) {
    if (typeof value !== "number" || Number.isNaN(value)) return "range";
    const limit = limits(dtype);
    if (Math.abs(value) > limit.max) return "overflow";
    if (value !== 0 && Math.abs(value) < Math.sqrt(limit.tiny)) return "underflow";
    return Math.abs(value) <= reach ? null : "range";
  }

  const MAX_START = 1000;
  const MAX_STEPS = 1000;
  const MAX_LANES = 4;

  /* Problems that involve two settings (torch raises on them): [key, code] pairs. */
  function conflicts(name, s) {
    const found = [];
    if (name === "sgd" && s.nesterov && (s.momentum <= 0 || s.dampening !== 0)) found.push(["nesterov", "nesterov"]);
    if (name === "rprop" && s.step_size_min > s.step_size_max) found.push(["step_size_min", "order"]);
    return found;
  }

  // ------------------------------------------------------------ the race

  /* A race: {surface, start, steps, seed, rounding, dtype, fair, optimizers: [{name, settings}]}.
   * Missing fields take these values. */
  const DEFAULT_RACE = { surface: "rosenbrock", steps: 200, seed: 0, rounding: "fused", dtype: "float32", fair: false };

  function normalize(race) {
    const full = { ...DEFAULT_RACE, ...race };
    full.start = (race.start || SURFACES[full.surface].start).slice();
    full.optimizers = (race.optimizers || []).map((lane) => ({ name: lane.name, settings: settingsOf(lane.name, lane.settings) }));
    return full;
  }

  /* One optimizer from the race's start: {iterates: [[x, y], ...], diverged: the first step whose
   * iterate is not finite (the iterates stop before it), or null}. */
  function runLane(race, lane) {
    const A = arithmetic(race.dtype, race.rounding);
    const surface = SURFACES[race.surface];
    const optimizer = OPTIMIZERS[lane.name];
    const s = settingsOf(lane.name, lane.settings);
    const p = race.start.map(A.r);
    const noise = surface.noisy ? Noise(race.seed) : null;
    const state = optimizer.init(p.length, s, A);
    const iterates = [p.slice()];
    for (let k = 1; k <= race.steps; k++) {
      let g = surface.grad(p, A, noise);
      if (s.maximize) g = g.map((v) => -v);
      optimizer.step(p, g, state, s, A);
      if (!p.every(Number.isFinite)) return { iterates, diverged: k };
      iterates.push(p.slice());
    }
    return { iterates, diverged: null };
  }

  /* The race as run: fair mode first tunes each lane's lr (`tuneLr`). */
  function run(race) {
    const full = normalize(race);
    if (full.fair) full.optimizers = full.optimizers.map((lane) => ({ ...lane, settings: { ...lane.settings, lr: tuneLr(full, lane) } }));
    return { race: full, lanes: full.optimizers.map((lane) => runLane(full, lane)) };
  }

  /* Fair comparison: the lr, among the lr slider's stops, whose run ends at the lowest loss after
   * the race's steps (runs that diverge are out; a tie goes to the smaller lr). */
  function tuneLr(race, lane) {
    const f = SURFACES[race.surface].f;
    let best = null;
    for (const lrValue of STOPS.lr) {
      const result = runLane(race, { ...lane, settings: { ...lane.settings, lr: lrValue } });
      if (result.diverged !== null) continue;
      const loss = f(result.iterates[result.iterates.length - 1]);
      if (Number.isFinite(loss) && (best === null || loss < best.loss)) best = { lr: lrValue, loss };
    }
    return best === null ? lane.settings.lr : best.lr;
  }

  // ------------------------------------------------------------ copy as PyTorch

  /* A Python literal for a number: floats keep a decimal point, so that Python sees the same double. */
  function pyNumber(value) {
    if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
    return String(value);
  }

  /* The constructor call for one lane: lr and every setting that differs from torch's default. */
  function pyOptimizer(lane) {
    const optimizer = OPTIMIZERS[lane.name];
    const s = settingsOf(lane.name, lane.settings);
    const args = [`lr=${pyNumber(s.lr)}`];
    const tupled = new Set();
    for (const param of optimizer.params) {
      if (param.key === "lr" || tupled.has(param.key) || s[param.key] === param.default) continue;
      const tuple = Object.entries(TUPLES).find(([, keys]) => keys.includes(param.key));
      if (tuple) {
        const [name, keys] = tuple;
        const parts = keys.map((key) => (key in s ? pyNumber(s[key]) : "None"));
        keys.forEach((key) => tupled.add(key));
        args.push(`${name}=(${parts.join(", ")})`);
      } else if (param.type === "bool") args.push(`${param.key}=True`);
      else args.push(`${param.key}=${pyNumber(s[param.key])}`);
    }
    if (!optimizer.python) args.push("foreach=False");
    return `${optimizer.torch}(params, ${args.join(", ")})`;
  }

  /* Runnable torch code for the race: it prints `<optimizer index> <step> <x> <y>` for every step
   * the race shows, from the same start, with the same gradients and noise. */
  function python(race) {
    const full = run(race).race;
    const surface = SURFACES[full.surface];
    const imports = ["import torch"];
    for (const lane of full.optimizers) {
      const line = OPTIMIZERS[lane.name].python;
      if (line && !imports.includes(line)) imports.push(line);
    }
    const rounding = full.rounding === "fused"
      ? [
          "# The race computed it with fused multiply-adds, as torch's kernels do on AVX2 and AVX-512",
          "# CPUs; on other CPUs, or with ATEN_CPU_CAPABILITY=default, torch rounds each step apart.",
        ]
      : [
          "# The race computed it rounding each operation apart, as torch's kernels do with",
          "# ATEN_CPU_CAPABILITY=default (run it so); on AVX2 and AVX-512 CPUs torch fuses multiply-adds.",
        ];
    const roots = full.optimizers.some((lane) => OPTIMIZERS[lane.name].roots);
    const lines = [
      `# The optimizer race: ${full.surface}, ${full.steps} steps from (${full.start.map(pyNumber).join(", ")}), float32.`,
      ...rounding,
      ...(full.fair ? ["# Fair comparison: each lr was tuned over the same grid and budget."] : []),
      ...imports,
      ...(roots ? ["", ...SQRT_PYTHON] : []),
      "",
      "",
      ...(surface.noisy ? [...NOISE_PYTHON, "", ""] : []),
      `def gradient(p${surface.noisy ? ", noise" : ""}):`,
      ...surface.python.map((line) => `    ${line}`),
      "",
      "",
      `START = [${full.start.map(pyNumber).join(", ")}]`,
      `STEPS = ${full.steps}`,
      "OPTIMIZERS = [",
      ...full.optimizers.map((lane) => `    lambda params: ${pyOptimizer(lane)},`),
      "]",
      "",
      "for index, make in enumerate(OPTIMIZERS):",
      "    p = torch.tensor(START, dtype=torch.float32)",
      "    optimizer = make([p])",
      ...(surface.noisy ? [`    noise = Noise(${full.seed})`] : []),
      "    for step in range(STEPS + 1):",
      "        if not torch.isfinite(p).all():",
      "            break",
      "        print(index, step, *p.tolist())",
      "        if step < STEPS:",
      `            p.grad = gradient(p${surface.noisy ? ", noise" : ""})`,
      "            optimizer.step()",
    ];
    return lines.join("\n") + "\n";
  }

  return {
    fma32,
    arithmetic,
    Noise,
    SURFACES,
    OPTIMIZERS,
    STOPS,
    NOISE_PYTHON,
    MAX_START,
    MAX_STEPS,
    MAX_LANES,
    DEFAULT_RACE,
    settingsOf,
    checkValue,
    checkStart,
    conflicts,
    normalize,
    run,
    runLane,
    tuneLr,
    python,
  };
});
