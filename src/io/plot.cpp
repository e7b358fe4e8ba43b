// plot.cpp - SVG scatter plots and histograms of data vs samples, training curves (see
// include/dgm/io/plot.h).
#include "dgm/io/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "dgm/core/check.h"
#include "dgm/io/fileio.h"

namespace dgm {
namespace {

// The "tab10" palette (matplotlib's default cycle) and its colour names.
const char* const kPalette[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
const char* const kPaletteNames[10] = {"blue", "orange", "green", "red", "purple",
                                       "brown", "pink", "grey", "olive", "cyan"};
const char* kDataColour = kPalette[0];    // blue
const char* kSampleColour = kPalette[1];  // orange
const int kLeft = 56, kRight = 16, kTop = 36, kBottom = 40;  // margins around the plot area

struct Range {
  double lo = 0, hi = 1;
};

// Grows r to hold v (finite values only); `empty` tracks whether any value was seen.
void extend(Range* r, bool* empty, double v) {
  if (!std::isfinite(v)) return;
  if (*empty) r->lo = r->hi = v;
  if (v < r->lo) r->lo = v;
  if (v > r->hi) r->hi = v;
  *empty = false;
}

// 5% margin on both sides; a single value or no value still gives a usable range.
Range padded(Range r, bool empty) {
  if (empty) return Range{0, 1};
  double span = r.hi - r.lo;
  if (span <= 0) span = std::fabs(r.lo) > 0 ? std::fabs(r.lo) : 1.0;
  return Range{r.lo - 0.05 * span, r.hi + 0.05 * span};
}

// Tick step 1, 2 or 5 times a power of ten giving about 5 ticks over the range.
double nice_step(double span) {
  const double raw = span / 5.0;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double m = raw / p;
  return (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0) * p;
}

void appendf(std::string* out, const char* format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void appendf(std::string* out, const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  int n = std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  if (n > 0) out->append(buf, static_cast<std::size_t>(n) < sizeof buf ? static_cast<std::size_t>(n) : sizeof buf - 1);
}

// The frame of the plot area: maps data coordinates to SVG pixels (y grows downwards in SVG).
struct Frame {
  double x0, y0, w, h;  // plot area in pixels
  Range xr, yr;
  double px(double x) const { return x0 + (x - xr.lo) / (xr.hi - xr.lo) * w; }
  double py(double y) const { return y0 + (yr.hi - y) / (yr.hi - yr.lo) * h; }
  bool inside(double x, double y) const {
    return x >= xr.lo && x <= xr.hi && y >= yr.lo && y <= yr.hi;
  }
};

Frame make_frame(const PlotOptions& o, Range xr, Range yr) {
  DGM_CHECK(o.width > kLeft + kRight + 10 && o.height > kTop + kBottom + 10,
            "plot: %dx%d pixels is too small", o.width, o.height);
  DGM_CHECK(xr.lo < xr.hi && yr.lo < yr.hi, "plot: empty axis range [%g, %g] x [%g, %g]", xr.lo,
            xr.hi, yr.lo, yr.hi);
  return Frame{double(kLeft), double(kTop), double(o.width - kLeft - kRight),
               double(o.height - kTop - kBottom), xr, yr};
}

// Opening tag, white background and title of a width x height SVG.
void svg_head(std::string* s, int width, int height, const std::string& title) {
  appendf(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
          "font-family=\"sans-serif\" font-size=\"11\">\n", width, height, width, height);
  appendf(s, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height);
  appendf(s, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">", width / 2);
  *s += xml_escape(title) + "</text>\n";
}

// The frame of f, its ticks and their labels (x labels only when x_labels).
void axes(std::string* s, const Frame& f, bool x_labels) {
  appendf(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n",
          f.x0, f.y0, f.w, f.h);
  for (int axis = 0; axis < 2; ++axis) {
    const Range r = axis == 0 ? f.xr : f.yr;
    const double step = nice_step(r.hi - r.lo);
    for (double t = std::ceil(r.lo / step) * step; t <= r.hi + 1e-9 * step; t += step) {
      const double v = std::fabs(t) < 1e-9 * step ? 0.0 : t;  // print 0, not -1.3e-17
      if (axis == 0) {
        const double x = f.px(v), yb = f.y0 + f.h;
        appendf(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>", x, yb, x, yb + 4);
        if (x_labels) appendf(s, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>", x, yb + 16, v);
        *s += "\n";
      } else {
        const double y = f.py(v);
        appendf(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                f.x0 - 4, y, f.x0, y, f.x0 - 6, y + 4, v);
      }
    }
  }
}

// Title, frame, ticks with labels.
void begin_svg(std::string* s, const PlotOptions& o, const Frame& f) {
  svg_head(s, o.width, o.height, o.title);
  axes(s, f, true);
}

// Legend rows at the top right of the plot area: a colour swatch and "label (n drawn[, k skipped])".
void legend(std::string* s, const Frame& f, int row, const char* colour, const std::string& label,
            int drawn, int skipped) {
  const double x = f.x0 + f.w - 150, y = f.y0 + 14 + 16 * row;
  appendf(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"146\" height=\"16\" fill=\"white\" "
          "fill-opacity=\"0.8\"/>", x - 4, y - 12);
  appendf(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>", x, y - 9, colour);
  appendf(s, "<text x=\"%.1f\" y=\"%.1f\">", x + 14, y);
  *s += xml_escape(label);
  appendf(s, " (%d", drawn);
  if (skipped) appendf(s, ", %d not drawn", skipped);
  *s += ")</text>\n";
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string scatter_svg(const float* data, int n_data, const float* samples, int n_samples,
                        const PlotOptions& o) {
  DGM_CHECK(n_data >= 0 && n_samples >= 0, "scatter_svg: counts %d, %d", n_data, n_samples);
  Range xr{o.xmin, o.xmax}, yr{o.ymin, o.ymax};
  if (o.auto_range) {
    bool ex = true, ey = true;
    for (int set = 0; set < 2; ++set) {
      const float* p = set == 0 ? data : samples;  // (n, 2)
      const int n = set == 0 ? n_data : n_samples;
      for (int i = 0; i < n; ++i)
        if (std::isfinite(p[2 * i]) && std::isfinite(p[2 * i + 1])) {
          extend(&xr, &ex, p[2 * i]);
          extend(&yr, &ey, p[2 * i + 1]);
        }
    }
    xr = padded(xr, ex);
    yr = padded(yr, ey);
  }
  const Frame f = make_frame(o, xr, yr);
  std::string s;
  begin_svg(&s, o, f);
  int drawn[2] = {0, 0}, skipped[2] = {0, 0};
  for (int set = 0; set < 2; ++set) {
    const float* p = set == 0 ? data : samples;
    const int n = set == 0 ? n_data : n_samples;
    appendf(&s, "<g fill=\"%s\" fill-opacity=\"0.55\">\n", set == 0 ? kDataColour : kSampleColour);
    for (int i = 0; i < n; ++i) {
      const double x = p[2 * i], y = p[2 * i + 1];
      if (!std::isfinite(x) || !std::isfinite(y) || !f.inside(x, y)) {
        ++skipped[set];
        continue;
      }
      appendf(&s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\"/>\n", f.px(x), f.py(y));
      ++drawn[set];
    }
    s += "</g>\n";
  }
  legend(&s, f, 0, kDataColour, o.data_label, drawn[0], skipped[0]);
  legend(&s, f, 1, kSampleColour, o.sample_label, drawn[1], skipped[1]);
  s += "</svg>\n";
  return s;
}

std::string histogram_svg(const float* data, int n_data, const float* samples, int n_samples,
                          const PlotOptions& o) {
  DGM_CHECK(n_data >= 0 && n_samples >= 0, "histogram_svg: counts %d, %d", n_data, n_samples);
  DGM_CHECK(o.bins > 0, "histogram_svg: %d bins", o.bins);
  Range xr{o.xmin, o.xmax};
  if (o.auto_range) {
    bool ex = true;
    for (int i = 0; i < n_data; ++i) extend(&xr, &ex, data[i]);
    for (int i = 0; i < n_samples; ++i) extend(&xr, &ex, samples[i]);
    xr = padded(xr, ex);
  }
  DGM_CHECK(xr.lo < xr.hi, "histogram_svg: empty range [%g, %g]", xr.lo, xr.hi);
  // Density per bin: count / (n * width), the same normalisation for both sets (sum over bins
  // of density * width = fraction of the set's finite points inside the range).
  const double width = (xr.hi - xr.lo) / o.bins;
  std::vector<double> dens[2];
  int counted[2] = {0, 0}, skipped[2] = {0, 0};
  double top = 0;
  for (int set = 0; set < 2; ++set) {
    const float* p = set == 0 ? data : samples;
    const int n = set == 0 ? n_data : n_samples;
    dens[set].assign(static_cast<std::size_t>(o.bins), 0.0);
    for (int i = 0; i < n; ++i) {
      const double v = p[i];
      if (!std::isfinite(v) || v < xr.lo || v > xr.hi) {
        ++skipped[set];
        continue;
      }
      int b = static_cast<int>((v - xr.lo) / width);
      if (b >= o.bins) b = o.bins - 1;  // v == hi
      dens[set][static_cast<std::size_t>(b)] += 1.0;
      ++counted[set];
    }
    for (double& d : dens[set]) {
      d = n > 0 ? d / (n * width) : 0.0;
      if (d > top) top = d;
    }
  }
  const Frame f = make_frame(o, xr, Range{0.0, top > 0 ? top * 1.08 : 1.0});
  std::string s;
  begin_svg(&s, o, f);
  // Data as filled bars, samples as a step outline on top, so both stay visible.
  appendf(&s, "<g fill=\"%s\" fill-opacity=\"0.45\">\n", kDataColour);
  for (int b = 0; b < o.bins; ++b) {
    const double d = dens[0][static_cast<std::size_t>(b)];
    if (d <= 0) continue;
    const double x0 = f.px(xr.lo + b * width), x1 = f.px(xr.lo + (b + 1) * width);
    appendf(&s, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n", x0, f.py(d), x1 - x0,
            f.py(0) - f.py(d));
  }
  s += "</g>\n";
  appendf(&s, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", kSampleColour);
  for (int b = 0; b < o.bins; ++b) {
    const double y = f.py(dens[1][static_cast<std::size_t>(b)]);
    appendf(&s, "%.2f,%.2f %.2f,%.2f ", f.px(xr.lo + b * width), y, f.px(xr.lo + (b + 1) * width), y);
  }
  s += "\"/>\n";
  legend(&s, f, 0, kDataColour, o.data_label, counted[0], skipped[0]);
  legend(&s, f, 1, kSampleColour, o.sample_label, counted[1], skipped[1]);
  s += "</svg>\n";
  return s;
}

const char* series_colour(int i) { return kPalette[((i % 10) + 10) % 10]; }
const char* series_colour_name(int i) { return kPaletteNames[((i % 10) + 10) % 10]; }

namespace {

// (x, y) means of up to `bins` consecutive equal-count runs of the finite points of s.
void bin_means(const Series& s, int bins, std::vector<double>* bx, std::vector<double>* by) {
  std::vector<double> fx, fy;
  for (std::size_t i = 0; i < s.y.size() && i < s.x.size(); ++i)
    if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
      fx.push_back(s.x[i]);
      fy.push_back(s.y[i]);
    }
  const std::size_t n = fx.size(), nb = std::min(n, static_cast<std::size_t>(bins));
  bx->clear();
  by->clear();
  for (std::size_t b = 0; b < nb; ++b) {
    const std::size_t lo = b * n / nb, hi = (b + 1) * n / nb;
    double sx = 0, sy = 0;
    for (std::size_t i = lo; i < hi; ++i) sx += fx[i], sy += fy[i];
    bx->push_back(sx / static_cast<double>(hi - lo));
    by->push_back(sy / static_cast<double>(hi - lo));
  }
}

void polyline(std::string* s, const Frame& f, const std::vector<double>& x, const std::vector<double>& y,
              const char* colour, double opacity, double width) {
  appendf(s, "<polyline fill=\"none\" stroke=\"%s\" stroke-opacity=\"%.2f\" stroke-width=\"%.1f\" points=\"", colour,
          opacity, width);
  for (std::size_t i = 0; i < x.size(); ++i) appendf(s, "%.1f,%.1f ", f.px(x[i]), f.py(y[i]));
  *s += "\"/>\n";
}

}  // namespace

std::string curves_svg(const std::vector<Series>& series, const PlotOptions& o) {
  const int W = o.width, P = o.height, n = static_cast<int>(series.size());
  DGM_CHECK(W > kLeft + kRight + 10 && P > 40, "curves_svg: %dx%d pixels per panel is too small", W, P);
  // Legend: swatch + label per series, wrapped to the width (about 6.5 px per character).
  std::string legend_svg;
  double lx = kLeft, ly = 40;
  for (int i = 0; i < n; ++i) {
    const double w = 30 + 6.5 * static_cast<double>(series[static_cast<std::size_t>(i)].label.size());
    if (lx + w > W - kRight && lx > kLeft) lx = kLeft, ly += 16;
    appendf(&legend_svg, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/>", lx, ly - 5,
            series_colour(i));
    appendf(&legend_svg, "<text x=\"%.1f\" y=\"%.1f\">", lx + 18, ly);
    legend_svg += xml_escape(series[static_cast<std::size_t>(i)].label) + "</text>\n";
    lx += w;
  }
  const double top = ly + 14;
  const int height = static_cast<int>(top) + std::max(n, 1) * P + 24;
  std::string s;
  svg_head(&s, W, height, o.title);
  s += legend_svg;
  Range xr;
  bool ex = true;
  for (const Series& c : series)
    for (std::size_t i = 0; i < c.x.size() && i < c.y.size(); ++i)
      if (std::isfinite(c.y[i])) extend(&xr, &ex, c.x[i]);
  if (ex || xr.hi <= xr.lo) xr = padded(xr, ex);
  std::vector<double> bx, by, sm;
  for (int i = 0; i < n; ++i) {
    const Series& c = series[static_cast<std::size_t>(i)];
    bin_means(c, 600, &bx, &by);
    Range yr;
    bool ey = true;
    for (double v : by) extend(&yr, &ey, v);
    // The panel: its label on top (14 px), the frame, a gap for the ticks (16 px).
    const Frame f{double(kLeft), top + i * P + 14, double(W - kLeft - kRight), double(P - 30), xr, padded(yr, ey)};
    axes(&s, f, i == n - 1);
    appendf(&s, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-weight=\"bold\">", f.x0, f.y0 - 3, series_colour(i));
    s += xml_escape(c.label) + (by.empty() ? " (no finite value)" : "") + "</text>\n";
    if (by.empty()) continue;
    // Running mean over about a 25th of the points, a window that ends at each point.
    const std::size_t win = std::max<std::size_t>(1, by.size() / 25);
    sm.assign(by.size(), 0.0);
    double sum = 0;
    for (std::size_t k = 0; k < by.size(); ++k) {
      sum += by[k];
      if (k >= win) sum -= by[k - win];
      sm[k] = sum / static_cast<double>(std::min(k + 1, win));
    }
    polyline(&s, f, bx, by, series_colour(i), 0.35, 1.0);
    polyline(&s, f, bx, sm, series_colour(i), 1.0, 1.8);
  }
  appendf(&s, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>\n", kLeft + (W - kLeft - kRight) / 2,
          height - 4);
  s += "</svg>\n";
  return s;
}

Status read_metrics_series(const std::string& path, std::vector<Series>* out) {
  std::vector<std::uint8_t> bytes;
  Status st = read_file(path, &bytes);
  if (!st) return st;
  const std::string text(bytes.begin(), bytes.end());
  std::vector<std::string> header;
  std::vector<Series> series;
  int step_col = -1;
  std::vector<int> col_series;  // header column -> index in series, or -1
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    std::vector<std::string> cells;
    for (std::size_t a = 0;;) {
      const std::size_t b = line.find(',', a);
      cells.push_back(line.substr(a, b == std::string::npos ? std::string::npos : b - a));
      if (b == std::string::npos) break;
      a = b + 1;
    }
    if (header.empty()) {
      header = cells;
      for (std::size_t k = 0; k < header.size(); ++k) {
        const std::string& h = header[k];
        if (h == "step") step_col = static_cast<int>(k);
        const bool term = h != "step" && h != "epoch" && h != "seconds";
        col_series.push_back(term ? static_cast<int>(series.size()) : -1);
        if (term) series.push_back(Series{h, {}, {}});
      }
      if (step_col < 0)
        return Status::Error("%s: line 1 has no 'step' column (expected the header step,epoch,...,seconds)",
                             path.c_str());
      continue;
    }
    if (cells.size() != header.size())
      return Status::Error("%s: line %d has %zu fields, the header has %zu", path.c_str(), line_no, cells.size(),
                           header.size());
    std::vector<double> v(cells.size());
    for (std::size_t k = 0; k < cells.size(); ++k) {
      char* e = nullptr;
      v[k] = std::strtod(cells[k].c_str(), &e);
      if (cells[k].empty() || *e != 0)
        return Status::Error("%s: line %d, column '%s': '%s' is not a number", path.c_str(), line_no,
                             header[k].c_str(), cells[k].c_str());
    }
    for (std::size_t k = 0; k < cells.size(); ++k)
      if (col_series[k] >= 0) {
        Series& c = series[static_cast<std::size_t>(col_series[k])];
        c.x.push_back(v[static_cast<std::size_t>(step_col)]);
        c.y.push_back(v[k]);
      }
  }
  if (header.empty()) return Status::Error("%s: empty file (expected a header line step,epoch,...)", path.c_str());
  *out = std::move(series);
  return Status::Ok();
}

}  // namespace dgm
