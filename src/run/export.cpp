// export.cpp - a model's decoder / generator as one self-contained C header (see
// include/dgm/run/export.h for what the header holds and why).
#include "dgm/run/export.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <vector>

#include "dgm/core/arena.h"
#include "dgm/core/ops_conv.h"
#include "dgm/models/conv_vae.h"
#include "dgm/run/outputs.h"

namespace dgm {
namespace {

// The activation's number in the generated C (PREFIX_act_'s switch).
int act_code(Act a) {
  switch (a) {
    case Act::None: return 0;
    case Act::ReLU: return 1;
    case Act::LeakyReLU: return 2;
    case Act::Tanh: return 3;
    case Act::Sigmoid: return 4;
  }
  return 0;
}

bool is_c_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; });
}

std::string upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// printf into a std::string.
template <typename... A>
std::string fmt(const char* f, A... a) {
  std::string out(static_cast<std::size_t>(std::snprintf(nullptr, 0, f, a...)), '\0');
  std::snprintf(&out[0], out.size() + 1, f, a...);
  return out;
}

// Text from the user (a path, a data folder) made safe inside a C comment: "*/" would end it.
std::string in_comment(std::string s) {
  for (std::size_t at; (at = s.find("*/")) != std::string::npos;) s.replace(at, 2, "* /");
  return s;
}

// A float as a C literal that reads back to the same float: 9 significant digits, and a '.' where
// %g printed an integer ("1" -> "1.0f"; "0f" would not be C).
std::string c_float(float v) {
  std::string s = fmt("%.9g", static_cast<double>(v));
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s + "f";
}

// `static const TYPE name[count] = { ... };`, 8 numbers a line, each written by literal().
template <typename T, typename F>
void emit_array(std::string* out, const char* type, const std::string& name, const std::string& comment, const T* v,
                std::size_t n, F literal) {
  *out += "/* " + comment + " */\n";
  *out += std::string("static const ") + type + " " + name + "[" + std::to_string(n) + "] = {";
  for (std::size_t i = 0; i < n; ++i) *out += (i % 8 == 0 ? "\n  " : " ") + literal(v[i]) + (i + 1 < n ? "," : "");
  *out += "\n};\n\n";
}

void emit_floats(std::string* out, const std::string& name, const std::string& comment, const float* v, std::size_t n) {
  emit_array(out, "float", name, comment, v, n, c_float);
}

bool all_finite(const float* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) return false;
  return true;
}

// ---- the network as steps ----
// The decoder / generator as the list of steps the header runs, each reading the previous one's
// output: a dense layer, a transposed convolution or an evaluation-mode batch norm, each followed
// by its activation. MLPs are dense steps only; the --arch conv networks follow their forward()
// (src/models/conv_vae.cpp, src/models/dcgan.cpp) step for step. The self-test checks that the
// header's steps compute what the library computes.
struct Step {
  enum Kind { kDense, kConvT, kNorm } kind = kDense;
  int W = -1, b = -1;  // kDense: W (out, in), b (out); kConvT: W (in, out, k, k), b (out) or -1
  int gamma = -1, beta = -1, mean = -1, var = -1;  // kNorm: each (C), the running statistics
  int in = 0, out = 0;  // kDense: widths; kConvT: channels; kNorm: channels (in = out = C)
  int h = 1, w = 1;     // kConvT, kNorm: the input image's height and width
  int k = 1, stride = 1, pad = 0;  // kConvT
  Act act = Act::None;  // applied to the step's output

  int out_h() const { return kind == kConvT ? (h - 1) * stride - 2 * pad + k : h; }
  int out_w() const { return kind == kConvT ? (w - 1) * stride - 2 * pad + k : w; }
  int size_in() const { return kind == kDense ? in : in * h * w; }
  int size_out() const { return kind == kDense ? out : out * out_h() * out_w(); }
  bool weighted() const { return kind != kNorm; }
  // int8: one scale per row of W's first dimension (a dense step's output j, a transposed
  // convolution's input channel), over the rest of the row.
  int quant_rows() const { return kind == kDense ? out : in; }
};

std::vector<Step> steps_of(const DecoderNet& d) {
  std::vector<Step> s;
  auto dense = [&](const Linear& l, Act a) {
    Step x;
    x.W = l.W, x.b = l.b, x.in = l.in, x.out = l.out, x.act = a;
    s.push_back(x);
  };
  auto convt = [&](const ConvLayer& l, int h, int w, Act a) {
    Step x;
    x.kind = Step::kConvT;
    x.W = l.W, x.b = l.b, x.in = l.in, x.out = l.out, x.h = h, x.w = w;
    x.k = l.k, x.stride = l.stride, x.pad = l.pad, x.act = a;
    s.push_back(x);
  };
  auto norm = [&](const BatchNormLayer& l, int h, int w, Act a) {
    Step x;
    x.kind = Step::kNorm;
    x.gamma = l.gamma, x.beta = l.beta, x.mean = l.mean, x.var = l.var;
    x.in = x.out = l.C, x.h = h, x.w = w, x.act = a;
    s.push_back(x);
  };
  if (d.net) {
    for (std::size_t k = 0; k < d.net->layers.size(); ++k)
      dense(d.net->layers[k], k + 1 < d.net->layers.size() ? d.net->hidden : d.net->output);
  } else if (d.conv) {  // conv_vae.cpp: fc, ReLU, view, up1, ReLU, up2
    const ConvDecoder& c = *d.conv;
    dense(c.fc, Act::ReLU);
    convt(c.up1, c.H / 4, c.W / 4, Act::ReLU);
    convt(c.up2, c.H / 2, c.W / 2, Act::None);
  } else if (d.dcgan) {  // dcgan.cpp: fc, view, BN ReLU, up1, BN ReLU, up2, tanh
    const DcganG& g = *d.dcgan;
    dense(g.fc, Act::None);
    norm(g.bn0, g.H / 4, g.W / 4, Act::ReLU);
    convt(g.up1, g.H / 4, g.W / 4, Act::None);
    norm(g.bn1, g.H / 2, g.W / 2, Act::ReLU);
    convt(g.up2, g.H / 2, g.W / 2, Act::Tanh);
  }
  return s;
}

bool uses(const std::vector<Step>& steps, Step::Kind kind) {
  return std::any_of(steps.begin(), steps.end(), [&](const Step& x) { return x.kind == kind; });
}

// One line of the header's comment per step: "dense 20 -> 3136, relu".
std::string step_text(const Step& x) {
  if (x.kind == Step::kDense) return fmt("dense %d -> %d, %s", x.in, x.out, act_name(x.act));
  if (x.kind == Step::kNorm)
    return fmt("batch norm (running statistics) of (%d, %d, %d), %s", x.in, x.h, x.w, act_name(x.act));
  return fmt("transposed conv %dx%d stride %d pad %d: (%d, %d, %d) -> (%d, %d, %d), %s", x.k, x.k, x.stride, x.pad,
             x.in, x.h, x.w, x.out, x.out_h(), x.out_w(), act_name(x.act));
}

// ---- the C code ----
// The C functions of the forward pass: PREFIX_act_, PREFIX_layer_ (a dense step, float or int8
// weights), PREFIX_convt_ and PREFIX_norm_ (written only when a step needs them) and
// PREFIX_decode, which runs the steps on [z, s y] and applies map to the first OUT outputs.
std::string forward_code(const std::string& p, const std::string& P, const std::vector<Step>& steps, bool int8,
                         int classes, Act map) {
  std::string s;
  s += "static inline float " + p + "_act_(float v, int a) {\n"
       "  switch (a) {\n"
       "    case 1: return v > 0.0f ? v : 0.0f;\n"
       "    case 2: return v > 0.0f ? v : 0.2f * v;\n"
       "    case 3: return tanhf(v);\n"
       "    case 4: return 1.0f / (1.0f + expf(-v));\n"
       "    default: return v;\n"
       "  }\n"
       "}\n\n";
  // The layer: 4 output rows at a time, so each input x[i] is loaded once for 4 rows. Two forms,
  // chosen by the compiler's target: with SIMD (SSE2, NEON, ...) each row sums in 8 partial sums
  // (lane l sums the inputs i = l mod 8, fixed-length inner loops that compilers at -O2 without
  // -march vectorize; reduced pairwise l + 4, l + 2, l + 1); on a scalar FPU (Cortex-M4F) one
  // register sum per row, in increasing i. Rows past the last 4 take the same code with one row.
  const std::string wt = int8 ? "int8_t" : "float", cast = int8 ? "(float)" : "";
  const std::string wv = cast + "w[(long)r * in + i + l]";
  const std::string yv = int8 ? "sc[j + r] * t[r][0] + b[j + r]" : "t[r][0] + b[j + r]";
  const std::string yr = int8 ? "sc[j + r] * u[r] + b[j + r]" : "u[r] + b[j + r]";
  s += std::string(int8 ? "/* y = act(s .* (q x) + b): q (out, in) int8 row-major, s (out) per-row scales, x (in), y (out). */\n"
                        : "/* y = act(W x + b): W (out, in) row-major, x (in), y (out). */\n") +
       "static inline void " + p + "_layer_(const " + wt + "* W, " + (int8 ? "const float* sc, " : "") +
       "const float* b, int in, int out, int act,\n"
       "                                   const float* x, float* y) {\n"
       "  int i, j, r, rows;\n"
       "#if defined(__SSE2__) || defined(_M_X64) || defined(__ARM_NEON) || defined(__ALTIVEC__) || defined(__wasm_simd128__)\n"
       "  int l;\n"
       "  for (j = 0; j < out; j += rows) {\n"
       "    const " + wt + "* w = W + (long)j * in;\n"
       "    float t[4][8] = {{0.0f}};\n"
       "    rows = out - j >= 4 ? 4 : 1;\n"
       "    if (rows == 4) {\n"
       "      for (i = 0; i + 8 <= in; i += 8)\n"
       "        for (r = 0; r < 4; ++r)\n"
       "          for (l = 0; l < 8; ++l) t[r][l] += " + wv + " * x[i + l];\n"
       "    } else {\n"
       "      for (i = 0, r = 0; i + 8 <= in; i += 8)\n"
       "        for (l = 0; l < 8; ++l) t[r][l] += " + wv + " * x[i + l];\n"
       "    }\n"
       "    for (r = 0; r < rows; ++r) {\n"
       "      for (l = 0; i + l < in; ++l) t[r][l] += " + wv + " * x[i + l];\n"
       "      for (l = 0; l < 4; ++l) t[r][l] += t[r][l + 4];\n"
       "      for (l = 0; l < 2; ++l) t[r][l] += t[r][l + 2];\n"
       "      t[r][0] += t[r][1];\n"
       "      y[j + r] = " + p + "_act_(" + yv + ", act);\n"
       "    }\n"
       "  }\n"
       "#else\n"
       "  for (j = 0; j < out; j += rows) {\n"
       "    const " + wt + "* w = W + (long)j * in;\n"
       "    float u[4] = {0.0f, 0.0f, 0.0f, 0.0f};\n"
       "    rows = out - j >= 4 ? 4 : 1;\n"
       "    if (rows == 4) {\n"
       "      const " + wt + " *w1 = w + in, *w2 = w1 + in, *w3 = w2 + in;\n"
       "      float u0 = 0.0f, u1 = 0.0f, u2 = 0.0f, u3 = 0.0f;\n"
       "      for (i = 0; i < in; ++i) {\n"
       "        const float xi = x[i];\n"
       "        u0 += " + cast + "w[i] * xi;\n"
       "        u1 += " + cast + "w1[i] * xi;\n"
       "        u2 += " + cast + "w2[i] * xi;\n"
       "        u3 += " + cast + "w3[i] * xi;\n"
       "      }\n"
       "      u[0] = u0, u[1] = u1, u[2] = u2, u[3] = u3;\n"
       "    } else {\n"
       "      for (i = 0; i < in; ++i) u[0] += " + cast + "w[i] * x[i];\n"
       "    }\n"
       "    for (r = 0; r < rows; ++r) y[j + r] = " + p + "_act_(" + yr + ", act);\n"
       "  }\n"
       "#endif\n"
       "}\n\n";
  if (uses(steps, Step::kConvT))
    // The direct loop of the transposed convolution, scattering each input pixel into the k x k
    // window of outputs it reaches (the adjoint of a strided convolution, as torch's
    // ConvTranspose2d with output_padding 0).
    s += std::string("/* y = act(convT(x) + b): x (cin, h, w), W (cin, cout, k, k) as torch.nn.ConvTranspose2d stores it") +
         (int8 ? " (int8 q,\n * W[ci] = sc[ci] q[ci]: one scale per input channel)" : "") +
         ",\n * y (cout, ho, wo), ho = (h - 1) s - 2 pad + k:  y[o][i s - pad + a][j s - pad + c] += x[ci][i][j] W[ci][o][a][c].\n"
         " * b is 0 when the step has no bias. */\n"
         "static inline void " + p + "_convt_(const " + wt + "* W, " + (int8 ? "const float* sc, " : "") +
         "const float* b, int cin, int cout, int h, int w, int k, int s,\n"
         "                                   int pad, int act, const float* x, float* y) {\n"
         "  const int ho = (h - 1) * s - 2 * pad + k, wo = (w - 1) * s - 2 * pad + k;\n"
         "  const long plane = (long)ho * wo;\n"
         "  int ci, o, i, j, a, c, a0, a1, c0, c1;\n"
         "  long e;\n"
         "  for (o = 0; o < cout; ++o)\n"
         "    for (e = 0; e < plane; ++e) y[o * plane + e] = b ? b[o] : 0.0f;\n"
         "  for (ci = 0; ci < cin; ++ci)\n"
         "    for (i = 0; i < h; ++i) {\n"
         "      /* the kernel rows a whose output row i s - pad + a lies in [0, ho) */\n"
         "      a0 = pad - i * s > 0 ? pad - i * s : 0;\n"
         "      a1 = ho + pad - i * s < k ? ho + pad - i * s : k;\n"
         "      for (j = 0; j < w; ++j) {\n"
         "        const float v = " + (int8 ? "sc[ci] * " : "") + "x[((long)ci * h + i) * w + j];\n"
         "        c0 = pad - j * s > 0 ? pad - j * s : 0;\n"
         "        c1 = wo + pad - j * s < k ? wo + pad - j * s : k;\n"
         "        for (o = 0; o < cout; ++o) {\n"
         "          const " + wt + "* wk = W + ((long)ci * cout + o) * k * k;\n"
         "          float* yo = y + o * plane;\n"
         "          for (a = a0; a < a1; ++a)\n"
         "            for (c = c0; c < c1; ++c) yo[(long)(i * s - pad + a) * wo + (j * s - pad + c)] += v * " + cast + "wk[a * k + c];\n"
         "        }\n"
         "      }\n"
         "    }\n"
         "  for (e = 0; e < cout * plane; ++e) y[e] = " + p + "_act_(y[e], act);\n"
         "}\n\n";
  if (uses(steps, Step::kNorm))
    s += "/* y = act((x - m_c) g_c + beta_c) on each channel c of x (C, hw): batch normalization with the\n"
         " * running statistics (evaluation mode), g_c = gamma_c / sqrt(running_var_c + eps) folded at export. */\n"
         "static inline void " + p + "_norm_(const float* m, const float* g, const float* beta, int C, int hw, int act,\n"
         "                                  const float* x, float* y) {\n"
         "  int c;\n"
         "  long e;\n"
         "  for (c = 0; c < C; ++c)\n"
         "    for (e = (long)c * hw; e < (long)(c + 1) * hw; ++e) y[e] = " + p + "_act_((x[e] - m[c]) * g[c] + beta[c], act);\n"
         "}\n\n";
  s += "static inline void " + p + "_decode(const float* z, const float* y, float* x, float* scratch) {\n"
       "  float* a = scratch;                      /* the current step's input */\n"
       "  float* h = scratch + " + P + "_SCRATCH / 2;  /* its output */\n"
       "  float* t;\n"
       "  int i;\n"
       "  for (i = 0; i < " + P + "_LATENT; ++i) a[i] = z[i];\n";
  if (classes)
    s += "  for (i = 0; i < " + P + "_CLASSES; ++i) a[" + P + "_LATENT + i] = " + P + "_LABEL_SCALE * y[i];\n";
  else
    s += "  (void)y;\n";
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const Step& x = steps[k];
    const char* q = p.c_str();
    const int K = static_cast<int>(k);
    const std::string sc = int8 ? fmt("%s_s%d, ", q, K) : "";
    if (x.kind == Step::kDense)
      s += "  " + p + "_layer_(" + fmt("%s_W%d, ", q, K) + sc + fmt("%s_b%d, %d, %d, %d, a, h);", q, K, x.in, x.out, act_code(x.act));
    else if (x.kind == Step::kConvT)
      s += "  " + p + "_convt_(" + fmt("%s_W%d, ", q, K) + sc + (x.b >= 0 ? fmt("%s_b%d", q, K) : std::string("0")) +
           fmt(", %d, %d, %d, %d, %d, %d, %d, %d, a, h);", x.in, x.out, x.h, x.w, x.k, x.stride, x.pad, act_code(x.act));
    else
      s += "  " + p + "_norm_(" + fmt("%s_bn%d_mean, %s_bn%d_g, %s_bn%d_beta, %d, %d, %d, a, h);", q, K, q, K, q, K, x.in,
                                      x.h * x.w, act_code(x.act));
    s += "  /* " + step_text(x) + " */\n  t = a; a = h; h = t;\n";
  }
  s += fmt("  for (i = 0; i < %s_OUT; ++i) x[i] = %s_act_(a[i], %d);  /* %s */\n}\n\n", P.c_str(), p.c_str(),
           act_code(map), act_name(map));
  return s;
}

// PREFIX_self_test: decodes the TEST_N rows of PREFIX_test_z (and _test_y) and returns the largest
// |x - x_ref| / (1 + |x_ref|) against PREFIX_test_x.
std::string self_test_code(const std::string& p, const std::string& P, int classes) {
  std::string s;
  s += "/* Largest |x - x_ref| / (1 + |x_ref|) over the self-test rows; x: OUT floats of room. */\n"
       "static inline float " + p + "_self_test(float* x, float* scratch) {\n"
       "  float worst = 0.0f;\n"
       "  int r, j;\n"
       "  for (r = 0; r < " + P + "_TEST_N; ++r) {\n"
       "    const float* want = " + p + "_test_x + (long)r * " + P + "_OUT;\n"
       "    " + p + "_decode(" + p + "_test_z + (long)r * " + P + "_LATENT, " +
       (classes ? p + "_test_y + (long)r * " + P + "_CLASSES" : std::string("0")) + ", x, scratch);\n"
       "    for (j = 0; j < " + P + "_OUT; ++j) {\n"
       "      const float e = fabsf(x[j] - want[j]) / (1.0f + fabsf(want[j]));\n"
       "      if (e != e || e > worst) worst = e; /* a NaN stays: the test fails */\n"
       "    }\n"
       "  }\n"
       "  return worst;\n"
       "}\n\n";
  return s;
}

// ---- the weights ----
// int8 weights: per weighted step q (W's shape) and the row scales s (quant_rows()); what they
// cost on kQuantRows latent rows, |x_int8 - x_float| (max and mean).
struct Quantized {
  std::vector<std::vector<std::int8_t>> q;
  std::vector<std::vector<float>> scale;
  double max = 0, mean = 0;
};

// The self-test rows: the sample grids' own z (and labels) for the run's seed (fl), decoded by the
// library (Tape, the blocked GEMM, the model's generate()) into *ref. With int8 the library decodes
// them with each W replaced by s q (then the weights are put back), so the header's C loop is
// checked against the same network it holds. What int8 costs is measured on the other latent rows
// fq: |x_int8 - x_float|, the dequantized network's outputs against the float network's.
void self_test_rows(Model& m, const DecoderNet& d, const std::vector<Step>& steps, const FixedLatent& fl,
                    const FixedLatent& fq, bool int8, std::vector<float>* ref, Quantized* qz) {
  auto decode = [&](const FixedLatent& f) {
    std::vector<float> out(static_cast<std::size_t>(f.n) * static_cast<std::size_t>(d.keep));
    Arena arena(0, model_device(m));
    generate_rows(m, arena, f, d.keep, out.data());
    return out;
  };
  std::vector<float> x_float, x_int8;  // int8 only
  std::vector<std::vector<std::int8_t>>& q = qz->q;
  std::vector<std::vector<float>>& scale = qz->scale;
  q.resize(steps.size());
  scale.resize(steps.size());
  if (int8) {
    x_float = decode(fq);
    std::vector<std::vector<float>> saved(steps.size());
    for (std::size_t k = 0; k < steps.size(); ++k) {
      if (!steps[k].weighted()) continue;
      const Tensor W = d.params->host_value(steps[k].W);
      const int rows = steps[k].quant_rows(), cols = static_cast<int>(W.size() / static_cast<std::size_t>(rows));
      saved[k].assign(W.data, W.data + W.size());
      q[k].resize(W.size());
      scale[k].resize(static_cast<std::size_t>(rows));
      quantize_rows(W.data, rows, cols, q[k].data(), scale[k].data());
      for (std::size_t e = 0; e < W.size(); ++e) W.data[e] = scale[k][e / static_cast<std::size_t>(cols)] * q[k][e];
    }
    d.params->to_device();
    *ref = decode(fl);
    x_int8 = decode(fq);
    for (std::size_t k = 0; k < steps.size(); ++k)
      if (steps[k].weighted()) std::copy(saved[k].begin(), saved[k].end(), d.params->host_value(steps[k].W).data);
    d.params->to_device();
  } else {
    *ref = decode(fl);
  }
  for (std::size_t i = 0; i < x_float.size(); ++i) {
    const double e = std::fabs(static_cast<double>(x_int8[i]) - x_float[i]);
    qz->max = std::max(qz->max, e);
    qz->mean += e / static_cast<double>(x_float.size());
  }
}

// Each step k's arrays: a weighted step's W (p_Wk: float, or int8 q with its row scales p_sk) and
// bias p_bk; a batch norm's p_bnk_mean, p_bnk_g = gamma / sqrt(var + eps) and p_bnk_beta. Returns
// the bytes they take.
std::size_t emit_weights(std::string* out, const std::string& p, const DecoderNet& d, const std::vector<Step>& steps,
                         bool int8, const Quantized& qz) {
  std::string& s = *out;
  std::size_t bytes = 0;
  auto floats = [&](const std::string& name, const std::string& comment, const float* v, std::size_t n) {
    emit_floats(&s, name, comment, v, n);
    bytes += 4 * n;
  };
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const Step& x = steps[k];
    const char* q = p.c_str();
    const int K = static_cast<int>(k);
    if (x.kind == Step::kNorm) {
      const Tensor g = d.params->host_value(x.gamma), beta = d.params->host_value(x.beta);
      const Tensor mean = d.params->host_value(x.mean), var = d.params->host_value(x.var);
      std::vector<float> gs(static_cast<std::size_t>(x.in));
      for (std::size_t c = 0; c < gs.size(); ++c)
        gs[c] = static_cast<float>(g.data[c] / std::sqrt(static_cast<double>(var.data[c]) + kBatchNormEps));
      floats(fmt("%s_bn%d_mean", q, K), fmt("%s: (%d)", d.params->name(x.mean).c_str(), x.in), mean.data, mean.size());
      floats(fmt("%s_bn%d_g", q, K), fmt("%s / sqrt(%s + %g): (%d)", d.params->name(x.gamma).c_str(),
                                         d.params->name(x.var).c_str(), static_cast<double>(kBatchNormEps), x.in),
             gs.data(), gs.size());
      floats(fmt("%s_bn%d_beta", q, K), fmt("%s: (%d)", d.params->name(x.beta).c_str(), x.in), beta.data, beta.size());
      continue;
    }
    const Tensor W = d.params->host_value(x.W);
    const std::string wname = d.params->name(x.W), shape = shape_str(W).text;
    if (int8) {
      emit_array(&s, "int8_t", fmt("%s_W%d", q, K), fmt("%s: %s as int8 q, W = s q", wname.c_str(), shape.c_str()),
                 qz.q[k].data(), qz.q[k].size(), [](std::int8_t v) { return std::to_string(static_cast<int>(v)); });
      bytes += qz.q[k].size();
      floats(fmt("%s_s%d", q, K), fmt("scales s of %s: (%d)", wname.c_str(), x.quant_rows()), qz.scale[k].data(),
             qz.scale[k].size());
    } else {
      floats(fmt("%s_W%d", q, K), fmt("%s: %s", wname.c_str(), shape.c_str()), W.data, W.size());
    }
    if (x.b >= 0) {
      const Tensor b = d.params->host_value(x.b);
      floats(fmt("%s_b%d", q, K), fmt("%s: (%d)", d.params->name(x.b).c_str(), x.out), b.data, b.size());
    }
  }
  return bytes;
}

}  // namespace

void quantize_rows(const float* W, int out, int in, std::int8_t* q, float* s) {
  for (int j = 0; j < out; ++j) {
    const float* w = W + static_cast<std::size_t>(j) * in;
    float m = 0.f;
    for (int i = 0; i < in; ++i) m = std::max(m, std::fabs(w[i]));
    s[j] = m / 127.f;
    for (int i = 0; i < in; ++i) {
      const float r = s[j] > 0.f ? std::nearbyint(w[i] / s[j]) : 0.f;
      q[static_cast<std::size_t>(j) * in + i] = static_cast<std::int8_t>(std::min(127.f, std::max(-127.f, r)));
    }
  }
}

Status export_c_header(Model& m, const Config& c, const DataInfo& info, const ExportOptions& o,
                       std::string* text, ExportReport* report) {
  if (!is_c_identifier(o.prefix))
    return Status::Error("--name '%s' is not a C identifier (letters, digits and _, not starting with a digit)",
                         o.prefix.c_str());
  if (o.test_rows < 1) return Status::Error("export: test_rows %d should be at least 1", o.test_rows);
  if (o.weights != "float" && o.weights != "int8")
    return Status::Error("--weights '%s': float or int8", o.weights.c_str());
  const bool int8 = o.weights == "int8";
  const DecoderNet d = m.decoder_net();
  const std::vector<Step> steps = steps_of(d);
  if (!d.params || steps.empty())
    return Status::Error("a %s has no decoder or generator network the C exporter can write", c.model.c_str());
  d.params->to_host();  // a CUDA model's weights come down to the host copy (nothing on the CPU)

  const std::string p = o.prefix, P = upper(o.prefix);
  const int latent = m.latent_dim(), classes = d.label_scale != 0.f ? info.classes : 0;
  const int in0 = steps.front().size_in(), outs = steps.back().size_out();
  if (in0 != latent + classes || d.keep < 1 || d.keep > outs)
    return Status::Error("export: the %s's network takes %d inputs and gives %d outputs; expected %d + %d and >= %d",
                         c.model.c_str(), in0, outs, latent, classes, d.keep);
  int widest = in0;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const Step& x = steps[k];
    widest = std::max(widest, x.size_out());
    if (k > 0 && x.size_in() != steps[k - 1].size_out())
      return Status::Error("export: step %d of the %s's network takes %d values, step %d gives %d",
                           static_cast<int>(k), c.model.c_str(), x.size_in(), static_cast<int>(k) - 1,
                           steps[k - 1].size_out());
    for (int id : {x.W, x.b, x.gamma, x.beta, x.mean, x.var}) {
      if (id < 0) continue;
      const Tensor v = d.params->host_value(id);
      if (!all_finite(v.data, v.size()))
        return Status::Error("export: %s holds a NaN or Inf (the training diverged)", d.params->name(id).c_str());
    }
  }

  constexpr int kQuantRows = 1000;  // latent rows on which what int8 costs is measured
  const FixedLatent fl = make_fixed_latent(m, info, c.seed, o.test_rows);
  const FixedLatent fq = make_fixed_latent(m, info, c.seed + 1, kQuantRows);
  std::vector<float> ref;
  Quantized qz;
  self_test_rows(m, d, steps, fl, fq, int8, &ref, &qz);
  const double quant_max = qz.max, quant_mean = qz.mean;

  std::string s;
  s += "/* " + p + ".h - generated by `dgm export` from " + (o.source.empty() ? "a trained model" : in_comment(o.source)) +
       ".\n";
  s += fmt(" * Model %s trained on %s: %s network of %d steps, from %d inputs:\n", c.model.c_str(),
           c.data.empty() ? "the shipped subset" : in_comment(c.data).c_str(), d.generator ? "generator" : "decoder",
           static_cast<int>(steps.size()), in0);
  for (std::size_t k = 0; k < steps.size(); ++k) s += fmt(" *   %d. ", static_cast<int>(k)) + step_text(steps[k]) + "\n";
  s += fmt(" * then %s on the first %d outputs.\n", act_name(d.map), d.keep);
  s += " *\n"
       " * " + p + "_decode(z, y, x, scratch): x = map(step_L(... step_1([z, s y]) ...)), the forward pass the\n"
       " * library runs (include/dgm/run/export.h, src/core/nn.cpp, src/models/conv_vae.cpp, dcgan.cpp):\n"
       " *   z        " + P + "_LATENT floats, drawn as the model was trained: " +
       m.latent_law() + ";\n"
       " *   y        " + P + "_CLASSES floats, a one-hot label (cGAN), or NULL when " + P + "_CLASSES is 0;\n"
       " *   x        " + P + "_OUT floats out: " +
       (info.images() ? (m.scale() == PixelScale::kSigned ? "pixels in [-1, 1], " : "pixel probabilities in [0, 1], ") +
                            std::string(P + "_ROWS x " + P + "_COLS row-major")
                      : std::string("a point of the data space")) + ";\n"
       " *   scratch  " + P + "_SCRATCH floats the caller owns (no allocation here).\n"
       " * Layout: a dense step k is " + p + "_Wk, W: (out, in) row-major, so W[j * in + i] multiplies input i\n"
       " * into output j, and " + p + "_bk (out)." +
       (uses(steps, Step::kConvT) ? " A transposed conv step k is " + p + "_Wk (in, out, k, k), as\n"
                                    " * torch.nn.ConvTranspose2d stores it, and " + p + "_bk (out) if it has a bias; images are\n"
                                    " * (channels, rows, cols) row-major." : std::string("")) +
       (uses(steps, Step::kNorm) ? " A batch norm step k is " + p + "_bnk_mean, " + p + "_bnk_g and " + p + "_bnk_beta,\n"
                                   " * one value per channel." : std::string("")) +
       (int8 ? "\n * Weights int8: W = " + p + "_sk[j] * " + p + "_Wk[j * cols + i], one float scale per row j of W's\n"
               " * first dimension (s_j = max_i |W_ji| / 127); biases float. On 1000 latent rows int8\n" +
               fmt(" * moved the outputs from the float network's by at most %.3g (mean %.3g).\n", quant_max, quant_mean)
             : std::string("\n")) +
       " * Activation codes: 0 none, 1 relu, 2 leaky relu (slope 0.2),\n"
       " * 3 tanh, 4 sigmoid. Self-test: " + p + "_self_test(x, scratch) decodes " + P + "_TEST_N latent rows\n"
       " * the library drew and returns the largest |x - x_ref| / (1 + |x_ref|) against its own output\n" +
       (int8 ? " * (of the same int8 network, dequantized)\n" : "") +
       " * (float rounding differs with the order of the sums: expect about 1e-6).\n"
       " * Include it in ONE .c file: its arrays and functions are static, so each file that includes\n"
       " * it gets its own copy of the weights.\n"
       " */\n";
  s += "#ifndef " + P + "_EXPORT_H\n#define " + P + "_EXPORT_H\n\n#include <math.h>\n" +
       (int8 ? "#include <stdint.h>\n\n" : "\n");
  s += fmt("#define %s_LATENT %d\n#define %s_CLASSES %d\n#define %s_OUT %d\n", P.c_str(), latent, P.c_str(), classes,
           P.c_str(), d.keep);
  s += fmt("#define %s_ROWS %d\n#define %s_COLS %d\n", P.c_str(), info.rows, P.c_str(), info.cols);
  s += fmt("#define %s_LAYERS %d\n#define %s_SCRATCH %d\n", P.c_str(), static_cast<int>(steps.size()), P.c_str(),
           2 * widest);
  s += "#define " + P + "_LABEL_SCALE " + c_float(d.label_scale) + "\n\n";

  const std::size_t weight_bytes = emit_weights(&s, p, d, steps, int8, qz);
  if (report) {
    report->weight_bytes = weight_bytes;
    report->quant_max = quant_max;
    report->quant_mean = quant_mean;
  }

  s += forward_code(p, P, steps, int8, classes, d.map);

  s += fmt("#define %s_TEST_N %d\n", P.c_str(), o.test_rows);
  emit_floats(&s, p + "_test_z", "self-test: latent rows (TEST_N, LATENT)", fl.z.data(), fl.z.size());
  if (classes) emit_floats(&s, p + "_test_y", "self-test: one-hot labels (TEST_N, CLASSES)", fl.y.data(), fl.y.size());
  emit_floats(&s, p + "_test_x", "self-test: the library's output (TEST_N, OUT)", ref.data(), ref.size());
  s += self_test_code(p, P, classes);
  s += "#endif /* " + P + "_EXPORT_H */\n";
  *text = std::move(s);
  return Status::Ok();
}

}  // namespace dgm
