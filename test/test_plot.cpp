// test_plot.cpp - SVG scatter plots and histograms (well-formed, points where they belong), and
// the CSV / .npy row writers (exact header bytes, alignment, values that read back exactly).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dgm/io/fileio.h"
#include "dgm/io/plot.h"

using namespace dgm;

namespace {

struct Element {
  std::string name;
  std::map<std::string, std::string> attr;
  std::string parent;
};

// A minimal XML checker for what we write: elements with quoted attributes, self-closing or
// matched closing tags, text without raw '<', entities only &amp; &lt; &gt; &quot; &apos;.
// Returns false (with a reason) on anything malformed; collects every element.
bool parse_xml(const std::string& s, std::vector<Element>* out, std::string* why) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  auto entity_ok = [&](std::size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      if (s.compare(at, std::strlen(e), e) == 0) return true;
    return false;
  };
  while (i < s.size()) {
    if (s[i] != '<') {
      if (s[i] == '&' && !entity_ok(i)) return *why = "bad entity at " + std::to_string(i), false;
      if (s[i] == '>') return *why = "stray '>' at " + std::to_string(i), false;
      if (stack.empty() && s[i] != '\n' && s[i] != ' ')
        return *why = "text outside the root at " + std::to_string(i), false;
      ++i;
      continue;
    }
    if (s.compare(i, 2, "</") == 0) {
      std::size_t end = s.find('>', i);
      if (end == std::string::npos) return *why = "unclosed end tag", false;
      std::string name = s.substr(i + 2, end - i - 2);
      if (stack.empty() || stack.back() != name) return *why = "mismatched </" + name + ">", false;
      stack.pop_back();
      i = end + 1;
      continue;
    }
    Element e;
    e.parent = stack.empty() ? "" : stack.back();
    std::size_t j = i + 1;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-')) ++j;
    e.name = s.substr(i + 1, j - i - 1);
    if (e.name.empty()) return *why = "empty tag name at " + std::to_string(i), false;
    if (stack.empty() && !out->empty()) return *why = "a second root element", false;
    for (;;) {
      while (j < s.size() && (s[j] == ' ' || s[j] == '\n')) ++j;
      if (j >= s.size()) return *why = "unterminated tag " + e.name, false;
      if (s.compare(j, 2, "/>") == 0) {
        j += 2;
        break;
      }
      if (s[j] == '>') {
        ++j;
        stack.push_back(e.name);
        break;
      }
      std::size_t eq = s.find('=', j);
      if (eq == std::string::npos || eq + 1 >= s.size() || s[eq + 1] != '"')
        return *why = "attribute without =\"...\" in " + e.name, false;
      std::size_t close = s.find('"', eq + 2);
      if (close == std::string::npos) return *why = "unterminated attribute", false;
      std::string key = s.substr(j, eq - j), value = s.substr(eq + 2, close - eq - 2);
      if (value.find('<') != std::string::npos) return *why = "'<' inside an attribute", false;
      if (e.attr.count(key)) return *why = "duplicate attribute " + key, false;
      e.attr[key] = value;
      j = close + 1;
    }
    out->push_back(e);
    i = j;
  }
  if (!stack.empty()) return *why = "unclosed <" + stack.back() + ">", false;
  if (out->empty() || (*out)[0].name != "svg") return *why = "root is not <svg>", false;
  return true;
}

double num(const Element& e, const char* key) {
  auto it = e.attr.find(key);
  REQUIRE(it != e.attr.end());
  return std::strtod(it->second.c_str(), nullptr);
}

}  // namespace

TEST_CASE("plot: the XML checker of this test rejects broken documents") {
  std::vector<Element> el;
  std::string why;
  CHECK(parse_xml("<svg a=\"1\"><g><circle/></g></svg>\n", &el, &why));
  for (const char* bad : {"<svg><g></svg>", "<svg a=1/>", "<svg>&x;</svg>", "<svg></svg><svg/>",
                          "<svg><circle></svg>", "<svg>a > b</svg>"}) {
    el.clear();
    CHECK_FALSE(parse_xml(bad, &el, &why));
  }
}

TEST_CASE("plot: scatter SVG is well-formed and puts every point inside the frame") {
  // Data on a circle, samples on a smaller one; plus non-finite points that must be skipped.
  std::vector<float> data, samples;
  for (int i = 0; i < 50; ++i) {
    const float a = 6.2831853f * i / 50;
    data.push_back(3 * std::cos(a));
    data.push_back(3 * std::sin(a) + 1);
    samples.push_back(std::cos(a));
    samples.push_back(std::sin(a));
  }
  samples.push_back(NAN);
  samples.push_back(0.f);
  samples.push_back(INFINITY);
  samples.push_back(1.f);
  PlotOptions o;
  o.title = "ring <VAE> & \"GAN\"";
  const std::string svg = scatter_svg(data.data(), 50, samples.data(), 52, o);

  std::vector<Element> el;
  std::string why;
  REQUIRE_MESSAGE(parse_xml(svg, &el, &why), why);
  CHECK(svg.find("ring &lt;VAE&gt; &amp; &quot;GAN&quot;") != std::string::npos);
  CHECK(svg.find("(52") == std::string::npos);
  CHECK(svg.find("(50, 2 not drawn)") != std::string::npos);
  // The frame: the rect with fill="none".
  const Element* frame = nullptr;
  for (const Element& e : el)
    if (e.name == "rect" && e.attr.count("fill") && e.attr.at("fill") == "none") frame = &e;
  REQUIRE(frame);
  const double fx = num(*frame, "x"), fy = num(*frame, "y");
  const double fw = num(*frame, "width"), fh = num(*frame, "height");
  int circles = 0;
  double min_cx = 1e9, max_cx = -1e9, min_cy = 1e9, max_cy = -1e9;
  for (const Element& e : el)
    if (e.name == "circle") {
      ++circles;
      const double cx = num(e, "cx"), cy = num(e, "cy");
      CHECK(cx >= fx);
      CHECK(cx <= fx + fw);
      CHECK(cy >= fy);
      CHECK(cy <= fy + fh);
      min_cx = std::min(min_cx, cx);
      max_cx = std::max(max_cx, cx);
      min_cy = std::min(min_cy, cy);
      max_cy = std::max(max_cy, cy);
    }
  CHECK(circles == 100);
  // Auto range = data range + 5% each side: the extreme points sit 0.05/1.1 of the width in.
  CHECK(min_cx - fx == doctest::Approx(fw * 0.05 / 1.1).epsilon(0.02));
  CHECK(fx + fw - max_cx == doctest::Approx(fw * 0.05 / 1.1).epsilon(0.02));
  CHECK(min_cy - fy == doctest::Approx(fh * 0.05 / 1.1).epsilon(0.02));
}

TEST_CASE("plot: scatter with a fixed range maps corners and flips y") {
  const float data[4] = {0.f, 0.f, 1.f, 1.f};   // (0,0) and (1,1)
  const float samples[4] = {2.f, 0.5f, 0.25f, 0.75f};  // (2, .5) is outside: not drawn
  PlotOptions o;
  o.auto_range = false;
  std::string svg = scatter_svg(data, 2, samples, 2, o);
  std::vector<Element> el;
  std::string why;
  REQUIRE_MESSAGE(parse_xml(svg, &el, &why), why);
  std::vector<const Element*> c;
  const Element* frame = nullptr;
  for (const Element& e : el) {
    if (e.name == "circle") c.push_back(&e);
    if (e.name == "rect" && e.attr.count("fill") && e.attr.at("fill") == "none") frame = &e;
  }
  REQUIRE(frame);
  REQUIRE(c.size() == 3u);
  const double fx = num(*frame, "x"), fy = num(*frame, "y");
  const double fw = num(*frame, "width"), fh = num(*frame, "height");
  CHECK(num(*c[0], "cx") == doctest::Approx(fx));        // (0, 0): bottom left
  CHECK(num(*c[0], "cy") == doctest::Approx(fy + fh));
  CHECK(num(*c[1], "cx") == doctest::Approx(fx + fw));   // (1, 1): top right
  CHECK(num(*c[1], "cy") == doctest::Approx(fy));
  CHECK(num(*c[2], "cx") == doctest::Approx(fx + 0.25 * fw).epsilon(0.01));
  CHECK(num(*c[2], "cy") == doctest::Approx(fy + 0.25 * fh).epsilon(0.01));
  CHECK(c[0]->parent == "g");
  CHECK(svg.find("(1, 1 not drawn)") != std::string::npos);
}

TEST_CASE("plot: histogram bars are densities") {
  // Range [0, 1], 2 bins of width 0.5. Data: 3 of 4 points in bin 0 -> densities
  // 3/(4*0.5) = 1.5 and 1/(4*0.5) = 0.5: bar heights 3 : 1.
  const float data[4] = {0.1f, 0.2f, 0.3f, 0.9f};
  const float samples[2] = {0.6f, 0.7f};
  PlotOptions o;
  o.auto_range = false;
  o.bins = 2;
  std::string svg = histogram_svg(data, 4, samples, 2, o);
  std::vector<Element> el;
  std::string why;
  REQUIRE_MESSAGE(parse_xml(svg, &el, &why), why);
  std::vector<double> heights;
  for (const Element& e : el)
    if (e.name == "rect" && e.parent == "g") heights.push_back(num(e, "height"));
  REQUIRE(heights.size() == 2u);
  CHECK(heights[0] / heights[1] == doctest::Approx(3.0).epsilon(0.01));
  int polylines = 0;
  for (const Element& e : el) polylines += e.name == "polyline";
  CHECK(polylines == 1);
}

TEST_CASE("plot: .npy bytes match numpy.save's format 1.0") {
  const float rows[6] = {1.f, -2.f, 0.5f, 3.f, 1e-3f, -0.f};
  std::vector<std::uint8_t> b = npy_bytes(rows, {3, 2});
  REQUIRE(b.size() > 10);
  CHECK(std::memcmp(b.data(), "\x93NUMPY", 6) == 0);
  CHECK(b[6] == 1);  // major version
  CHECK(b[7] == 0);  // minor version
  const std::size_t hlen = b[8] | (b[9] << 8);
  CHECK((10 + hlen) % 64 == 0);  // data aligned to 64 bytes
  REQUIRE(b.size() == 10 + hlen + 6 * 4);
  const std::string header(b.begin() + 10, b.begin() + 10 + static_cast<std::ptrdiff_t>(hlen));
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
  CHECK(header.substr(0, dict.size()) == dict);
  CHECK(header.back() == '\n');
  CHECK(header.find_first_not_of(' ', dict.size()) == hlen - 1);  // only spaces, then '\n'
  // Data: little-endian float32. 1.0f = 00 00 80 3F, -2.0f = 00 00 00 C0, -0.0f = 00 00 00 80.
  const std::uint8_t* d = b.data() + 10 + hlen;
  const std::uint8_t one[4] = {0, 0, 0x80, 0x3F}, mtwo[4] = {0, 0, 0, 0xC0}, mzero[4] = {0, 0, 0, 0x80};
  CHECK(std::memcmp(d, one, 4) == 0);
  CHECK(std::memcmp(d + 4, mtwo, 4) == 0);
  CHECK(std::memcmp(d + 20, mzero, 4) == 0);

  // 1-D and 0-d shapes print as Python tuples.
  auto head = [](const std::vector<std::uint8_t>& v) { return std::string(v.begin() + 10, v.end()); };
  CHECK(head(npy_bytes(rows, {5})).find("'shape': (5,), }") != std::string::npos);
  CHECK(head(npy_bytes(rows, {})).find("'shape': (), }") != std::string::npos);
  // A dict that would end exactly on a 64-byte boundary with its '\n' still gets 64 more bytes,
  // as numpy does (pad = 64 - (10 + len + 1) % 64 is never 0): for shape (10000, 0 x 19) the dict
  // is 117 characters, 10 + 117 + 1 (the newline) = 128, and numpy 1.24's np.save writes a 182-byte
  // header (checked by hand with np.save(io.BytesIO(), np.zeros(shape, np.float32))).
  std::vector<std::int64_t> wide(20, 0);
  wide[0] = 10000;
  std::vector<std::uint8_t> v = npy_bytes(nullptr, wide);
  CHECK(v.size() == 192u);
  CHECK((v[8] | (v[9] << 8)) == 182);
}

TEST_CASE("plot: CSV rows read back exactly; write_rows picks the format by extension") {
  std::vector<float> rows = {0.1f, -1e-7f, 3.14159265f, 1e30f, -0.f, 16777217.f};
  std::string csv = rows_csv(rows.data(), 3, 2);
  std::vector<float> back;
  int lines = 0;
  const char* p = csv.c_str();
  while (*p) {
    char* end;
    back.push_back(std::strtof(p, &end));
    p = end;
    if (*p == '\n') ++lines;
    if (*p == ',' || *p == '\n') ++p;
  }
  CHECK(lines == 3);
  REQUIRE(back.size() == rows.size());
  CHECK(std::memcmp(back.data(), rows.data(), rows.size() * 4) == 0);  // bit-exact with %.9g

  const std::string dir = (std::filesystem::temp_directory_path() / "dgm_test_rows").string();
  REQUIRE(make_dirs(dir).ok);
  std::vector<std::uint8_t> file;
  REQUIRE(write_rows(join_path(dir, "s.npy"), rows.data(), 3, 2).ok);
  REQUIRE(read_file(join_path(dir, "s.npy"), &file).ok);
  CHECK(file == npy_bytes(rows.data(), {3, 2}));
  REQUIRE(write_rows(join_path(dir, "s.CSV"), rows.data(), 3, 2).ok);
  REQUIRE(read_file(join_path(dir, "s.CSV"), &file).ok);
  CHECK(std::string(file.begin(), file.end()) == csv);
  // A comment becomes one first line "# ..." (newlines in it become spaces); the rows follow.
  const std::string with = rows_csv(rows.data(), 3, 2, "pixels in [0, 1]\nsecond");
  CHECK(with == "# pixels in [0, 1] second\n" + csv);
  REQUIRE(write_rows(join_path(dir, "c.csv"), rows.data(), 3, 2, "pixels").ok);
  REQUIRE(read_file(join_path(dir, "c.csv"), &file).ok);
  CHECK(std::string(file.begin(), file.end()) == "# pixels\n" + csv);
  REQUIRE(write_rows(join_path(dir, "c.npy"), rows.data(), 3, 2, "pixels").ok);  // .npy: no comment
  REQUIRE(read_file(join_path(dir, "c.npy"), &file).ok);
  CHECK(file == npy_bytes(rows.data(), {3, 2}));
  Status s = write_rows(join_path(dir, "s.txt"), rows.data(), 3, 2);
  CHECK_FALSE(s.ok);
  CHECK(s.message.find(".txt") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("fileio: paths, extensions and folder errors") {
  CHECK(path_extension("a/b.PNG") == "png");
  CHECK(path_extension("a.b/c") == "");
  CHECK(path_extension("x.tar.gz") == "gz");
  CHECK(join_path("out", "a.png") == "out/a.png");
  CHECK(join_path("out/", "a.png") == "out/a.png");
  CHECK(join_path("", "a.png") == "a.png");
  const std::string base = (std::filesystem::temp_directory_path() / "dgm_test_dirs").string();
  REQUIRE(make_dirs(join_path(base, "run/samples")).ok);
  CHECK(make_dirs(join_path(base, "run/samples")).ok);  // already there: fine
  REQUIRE(write_text_atomic(join_path(base, "file"), "x").ok);
  Status s = make_dirs(join_path(base, "file"));  // a file of that name is in the way
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("file") != std::string::npos);
  std::vector<std::uint8_t> bytes;
  CHECK_FALSE(read_file(join_path(base, "missing"), &bytes).ok);
  Status folder = read_file(base, &bytes);  // a folder is not a file (and must not crash)
  CHECK_FALSE(folder.ok);
  CHECK(folder.message.find("folder") != std::string::npos);
  std::filesystem::remove_all(base);
}

TEST_CASE("plot: curves SVG draws one panel per series, each in its legend colour, skipping non-finite values") {
  std::vector<Series> s(3);
  s[0].label = "loss";
  s[1].label = "kl <nats>";
  s[2].label = "all_nan";
  for (int i = 1; i <= 50; ++i) {
    s[0].x.push_back(i);
    s[0].y.push_back(500.0 / i);
    s[1].x.push_back(i);
    s[1].y.push_back(i == 7 ? NAN : 0.1 * i);
    s[2].x.push_back(i);
    s[2].y.push_back(NAN);
  }
  PlotOptions o;
  o.title = "vae";
  o.width = 500;
  o.height = 90;
  const std::string svg = curves_svg(s, o);
  std::vector<Element> el;
  std::string why;
  REQUIRE_MESSAGE(parse_xml(svg, &el, &why), why);
  CHECK(svg.find("kl &lt;nats&gt;") != std::string::npos);
  CHECK(svg.find("all_nan (no finite value)") != std::string::npos);
  CHECK(std::string(series_colour(0)) == "#1f77b4");
  CHECK(std::string(series_colour_name(1)) == "orange");
  // Two polylines (light, dark) for each series with a finite value, in that series' colour,
  // and a legend swatch (a rect) in the same colour; every point inside the SVG.
  std::map<std::string, int> lines, swatches;
  for (const Element& e : el) {
    if (e.name == "polyline") {
      ++lines[e.attr.at("stroke")];
      const std::string& pts = e.attr.at("points");
      int count = 0;
      for (std::size_t a = 0; a < pts.size();) {
        char* end = nullptr;
        const double x = std::strtod(pts.c_str() + a, &end);
        CHECK(*end == ',');
        const double y = std::strtod(end + 1, &end);
        CHECK((x >= 0 && x <= o.width && y >= 0 && y <= num(el[0], "height")));
        ++count;
        a = static_cast<std::size_t>(end - pts.c_str()) + 1;
        while (a < pts.size() && pts[a] == ' ') ++a;
      }
      CHECK(count == (e.attr.at("stroke") == series_colour(1) ? 49 : 50));  // the NaN is skipped
    }
    if (e.name == "rect" && e.attr.count("fill") && e.attr.at("height") == "4") ++swatches[e.attr.at("fill")];
  }
  CHECK(lines[series_colour(0)] == 2);
  CHECK(lines[series_colour(1)] == 2);
  CHECK(lines.count(series_colour(2)) == 0);
  for (int i = 0; i < 3; ++i) CHECK(swatches[series_colour(i)] == 1);
  CHECK(num(el[0], "height") >= 3 * o.height);  // one panel per series
}

TEST_CASE("plot: curves SVG bins more than 600 steps into 600 points") {
  std::vector<Series> s(1);
  s[0].label = "recon";
  for (int i = 0; i < 5000; ++i) s[0].x.push_back(i), s[0].y.push_back(i % 2);
  const std::string svg = curves_svg(s, PlotOptions());
  std::vector<Element> el;
  std::string why;
  REQUIRE_MESSAGE(parse_xml(svg, &el, &why), why);
  for (const Element& e : el)
    if (e.name == "polyline") {
      const std::string& pts = e.attr.at("points");
      CHECK(std::count(pts.begin(), pts.end(), ',') == 600);
    }
}

TEST_CASE("plot: metrics.csv reads back as one series per term; malformed files are errors naming the line") {
  const std::string dir = (std::filesystem::temp_directory_path() / "dgm_test_metrics").string();
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/metrics.csv";
  REQUIRE(write_text_atomic(path, "step,epoch,loss_d,loss_g,seconds\n1,1,1.5,0.7,0.01\n2,1,1.25,nan,0.02\n"));
  std::vector<Series> s;
  Status st = read_metrics_series(path, &s);
  REQUIRE_MESSAGE(st, st.message);
  REQUIRE(s.size() == 2);
  CHECK(s[0].label == "loss_d");
  CHECK(s[1].label == "loss_g");
  CHECK(s[0].x == std::vector<double>{1, 2});
  CHECK(s[0].y == std::vector<double>{1.5, 1.25});
  CHECK(std::isnan(s[1].y[1]));
  const char* bad[][2] = {{"epoch,loss\n1,2\n", "no 'step' column"},
                          {"step,epoch,loss,seconds\n1,1,2\n", "line 2 has 3 fields, the header has 4"},
                          {"step,epoch,loss,seconds\n1,1,2,0\n2,1,x,0\n", "line 3, column 'loss': 'x' is not a number"},
                          {"", "empty file"}};
  for (const auto& b : bad) {
    REQUIRE(write_text_atomic(path, b[0]));
    st = read_metrics_series(path, &s);
    CHECK_FALSE(st);
    CHECK_MESSAGE(st.message.find(b[1]) != std::string::npos, st.message);
    CHECK(st.message.find(path) != std::string::npos);
  }
  CHECK_FALSE(read_metrics_series(dir + "/missing.csv", &s));
  std::filesystem::remove_all(dir);
}
