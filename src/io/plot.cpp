// plot.cpp - SVG scatter plots and histograms of data vs samples (see include/dgm/plot.h).
#include "dgm/plot.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "dgm/check.h"

namespace dgm {
namespace {

const char* kDataColour = "#1f77b4";    // blue
const char* kSampleColour = "#ff7f0e";  // orange
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

// Opening tag, background, title, frame, ticks with labels.
void begin_svg(std::string* s, const PlotOptions& o, const Frame& f) {
  appendf(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
          "font-family=\"sans-serif\" font-size=\"11\">\n", o.width, o.height, o.width, o.height);
  appendf(s, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n", o.width, o.height);
  appendf(s, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">", o.width / 2);
  *s += xml_escape(o.title) + "</text>\n";
  appendf(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n",
          f.x0, f.y0, f.w, f.h);
  for (int axis = 0; axis < 2; ++axis) {
    const Range r = axis == 0 ? f.xr : f.yr;
    const double step = nice_step(r.hi - r.lo);
    for (double t = std::ceil(r.lo / step) * step; t <= r.hi + 1e-9 * step; t += step) {
      const double v = std::fabs(t) < 1e-9 * step ? 0.0 : t;  // print 0, not -1.3e-17
      if (axis == 0) {
        const double x = f.px(v), yb = f.y0 + f.h;
        appendf(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                x, yb, x, yb + 4, x, yb + 16, v);
      } else {
        const double y = f.py(v);
        appendf(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                f.x0 - 4, y, f.x0, y, f.x0 - 6, y + 4, v);
      }
    }
  }
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

}  // namespace dgm
