// test_data.cpp - Fashion-MNIST loading (the shipped subset and damaged copies of it), batches,
// epoch order, and the synthetic sets.
#include <doctest/doctest.h>

#include <stdlib.h>  // mkdtemp (POSIX)
#include <unistd.h>  // rmdir

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dgm/io/checksum.h"
#include "dgm/io/fileio.h"
#include "dgm/data/data.h"
#include "dgm/io/idx.h"
#include "dgm/io/inflate.h"

using namespace dgm;

namespace {

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// A fresh directory under /tmp, removed with its files at the end of the test.
struct TempDir {
  std::string path;
  std::vector<std::string> files;
  TempDir() {
    char name[] = "/tmp/dgm_test_XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    path = name;
  }
  ~TempDir() {
    for (const std::string& f : files) std::remove(f.c_str());
    rmdir(path.c_str());
  }
  void write(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::string p = path + "/" + name;
    std::FILE* f = std::fopen(p.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
    std::fclose(f);
    files.push_back(p);
  }
};

IdxImages images(int n, int rows, int cols) {
  IdxImages im;
  im.n = n;
  im.rows = rows;
  im.cols = cols;
  for (int i = 0; i < n * rows * cols; ++i) im.pixels.push_back(static_cast<std::uint8_t>(i * 37));
  return im;
}
IdxLabels labels(int n) {
  IdxLabels lb;
  lb.n = n;
  for (int i = 0; i < n; ++i) lb.labels.push_back(static_cast<std::uint8_t>(i % 10));
  return lb;
}

}  // namespace

TEST_CASE("data: the shipped subset loads with the shapes, labels and bytes made when it was cut") {
  std::string dir;
  REQUIRE(resolve_data_dir("", &dir).ok);
  CHECK(dir == kSubsetDataDir);
  ImageData d;
  Status s = load_image_data(dir, &d);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(d.train.n == 10000);
  CHECK(d.test.n == 2000);
  CHECK(d.train.dim() == 784);
  CHECK(d.test.dim() == 784);
  CHECK(d.train.pixels.size() == 10000u * 784);
  CHECK(d.train.labels.size() == 10000u);
  // Computed with Python (gzip, zlib.crc32, collections.Counter) on the same files: the CRC-32 of
  // the pixel bytes without the IDX header, and the number of images of each class.
  CHECK(crc32(d.train.pixels.data(), d.train.pixels.size()) == 0xbb35a23eu);
  CHECK(crc32(d.test.pixels.data(), d.test.pixels.size()) == 0x49333794u);
  const int train_counts[10] = {942, 1027, 1016, 1019, 974, 989, 1021, 1022, 990, 1000};
  const int test_counts[10] = {200, 203, 214, 190, 219, 195, 197, 200, 194, 188};
  int counts[2][10] = {};
  for (std::uint8_t y : d.train.labels) counts[0][y]++;
  for (std::uint8_t y : d.test.labels) counts[1][y]++;
  for (int c = 0; c < 10; ++c) {
    CHECK(counts[0][c] == train_counts[c]);
    CHECK(counts[1][c] == test_counts[c]);
  }
  CHECK(d.train.labels[0] == 9);  // the first training image is an ankle boot
  CHECK(d.train.pixels[14 * 28 + 14] == 217);
}

TEST_CASE("data: batches scale pixels to [0,1] or [-1,1]; one-hot labels") {
  ImageData d;
  REQUIRE(load_image_data(kSubsetDataDir, &d).ok);
  const int idx[3] = {0, 9999, 17};
  std::vector<float> buf(3 * 784), ybuf(3 * 10);
  Tensor x = make_shape(3, 784), y = make_shape(3, 10);
  x.data = buf.data();
  y.data = ybuf.data();
  image_batch(d.train, idx, 3, PixelScale::kUnit, x);
  for (int b = 0; b < 3; ++b)
    for (int i = 0; i < 784; ++i) {
      const double p = d.train.pixels[static_cast<std::size_t>(idx[b]) * 784 + static_cast<std::size_t>(i)];
      // float division is correctly rounded: within half an ulp of the exact value (<= 3e-8 here)
      CHECK(std::fabs(x.data[b * 784 + i] - p / 255.0) <= 3e-8);
    }
  image_batch(d.train, idx, 3, PixelScale::kSigned, x);
  float lo = 1.f, hi = -1.f;
  for (int b = 0; b < 3; ++b)
    for (int i = 0; i < 784; ++i) {
      const double p = d.train.pixels[static_cast<std::size_t>(idx[b]) * 784 + static_cast<std::size_t>(i)];
      CHECK(std::fabs(x.data[b * 784 + i] - (2.0 * p / 255.0 - 1.0)) <= 6e-8);  // 2 roundings, |x| <= 1
      lo = std::fmin(lo, x.data[b * 784 + i]);
      hi = std::fmax(hi, x.data[b * 784 + i]);
    }
  CHECK(lo == -1.f);  // background pixels are exactly 0 -> exactly -1
  CHECK(hi <= 1.f);
  for (int p = 0; p < 256; ++p) {  // the byte round trip is exact for both scales
    const float u = static_cast<float>(p) / 255.f, s = (2.f * static_cast<float>(p) - 255.f) / 255.f;
    CHECK(pixel_byte(u, PixelScale::kUnit) == p);
    CHECK(pixel_byte(s, PixelScale::kSigned) == p);
  }
  CHECK(pixel_byte(-3.f, PixelScale::kSigned) == 0);
  CHECK(pixel_byte(7.f, PixelScale::kUnit) == 255);
  CHECK(pixel_byte(std::nanf(""), PixelScale::kUnit) == 0);

  onehot_batch(d.train, idx, 3, 10, y);
  for (int b = 0; b < 3; ++b)
    for (int c = 0; c < 10; ++c)
      CHECK(y.data[b * 10 + c] == (c == d.train.labels[static_cast<std::size_t>(idx[b])] ? 1.f : 0.f));
  const int bad[1] = {10000};
  Tensor x1 = make_shape(1, 784);
  x1.data = buf.data();
  CHECK_THROWS(image_batch(d.train, bad, 1, PixelScale::kUnit, x1));  // DGM_CHECK: index out of range
  CHECK_THROWS(image_batch(d.train, idx, 3, PixelScale::kUnit, make_shape(3, 783)));
}

TEST_CASE("data: missing, damaged and mismatched files give a message naming the file") {
  ImageData d;
  Status s = load_image_data("no/such/dir", &d);
  CHECK_FALSE(s.ok);
  CHECK(contains(s.message, "no/such/dir: neither train-images-idx3-ubyte.gz nor train-images-idx3-ubyte found"));

  TempDir t;
  t.write("train-images-idx3-ubyte", encode_idx_images(images(3, 28, 28)));
  t.write("train-labels-idx1-ubyte", encode_idx_labels(labels(2)));
  t.write("t10k-images-idx3-ubyte", encode_idx_images(images(2, 28, 28)));
  t.write("t10k-labels-idx1-ubyte", encode_idx_labels(labels(2)));
  s = load_image_data(t.path, &d);
  CHECK(contains(s.message, "train-images-idx3-ubyte has 3 images but"));
  CHECK(contains(s.message, "train-labels-idx1-ubyte has 2 labels"));

  t.write("train-labels-idx1-ubyte", encode_idx_labels(labels(3)));
  t.write("t10k-images-idx3-ubyte", encode_idx_images(images(2, 28, 27)));
  s = load_image_data(t.path, &d);
  CHECK(contains(s.message, "train images are 28 x 28 but test images are 28 x 27"));

  t.write("t10k-images-idx3-ubyte", encode_idx_images(images(2, 28, 28)));
  IdxLabels bad = labels(2);
  bad.labels[1] = 12;
  t.write("t10k-labels-idx1-ubyte", encode_idx_labels(bad));
  s = load_image_data(t.path, &d);
  CHECK(contains(s.message, "t10k-labels-idx1-ubyte: label 12 at index 1, expected 0..9"));

  t.write("t10k-labels-idx1-ubyte", encode_idx_labels(labels(2)));
  s = load_image_data(t.path, &d);
  REQUIRE_MESSAGE(s.ok, s.message);  // uncompressed names are accepted
  CHECK(d.train.n == 3);
  CHECK(d.dir == t.path);

  // A .gz name is preferred, and must hold gzip data.
  t.write("t10k-labels-idx1-ubyte.gz", encode_idx_labels(labels(2)));
  s = load_image_data(t.path, &d);
  CHECK(contains(s.message, "t10k-labels-idx1-ubyte.gz: not gzip data: the name ends in .gz, so expected magic "
                            "1f 8b, found 00 00"));
  // A damaged copy of a shipped file: the CRC catches a flipped bit in the compressed data.
  std::vector<std::uint8_t> gz;
  REQUIRE(read_file(std::string(kSubsetDataDir) + "/t10k-labels-idx1-ubyte.gz", &gz).ok);
  gz[gz.size() / 2] ^= 0x10;
  t.write("t10k-labels-idx1-ubyte.gz", gz);
  s = load_image_data(t.path, &d);
  CHECK_FALSE(s.ok);
  CHECK(contains(s.message, "t10k-labels-idx1-ubyte.gz: "));
  // A truncated copy.
  gz[gz.size() / 2] ^= 0x10;
  gz.resize(gz.size() - 100);
  t.write("t10k-labels-idx1-ubyte.gz", gz);
  s = load_image_data(t.path, &d);
  CHECK(contains(s.message, "truncated"));
  CHECK(contains(s.message, "t10k-labels-idx1-ubyte.gz: "));
}

TEST_CASE("data: resolve_data_dir") {
  std::string dir;
  REQUIRE(resolve_data_dir("datasets", &dir).ok);  // a folder: load_image_data says what it lacks
  CHECK(dir == "datasets");
  // Neither a folder nor a synthetic set: the message lists the sets, guesses, and says how to
  // point at a folder.
  Status typo = resolve_data_dir("ringg", &dir);
  CHECK_FALSE(typo.ok);
  CHECK(contains(typo.message, "--data 'ringg' is neither a synthetic set (ring, grid, gauss1d; did you mean ring?)"));
  CHECK(contains(typo.message, "pass a folder holding its four IDX files"));
  CHECK_FALSE(resolve_data_dir("some/dir", &dir).ok);
  Status s = resolve_data_dir("full", &dir);
  if (s.ok) {  // `make data` was run on this machine
    CHECK(dir == kSystemDataDir);
  } else {
    CHECK(contains(s.message, "--data full: the full Fashion-MNIST is not in /usr/share/datasets/fashion-mnist"));
  }
}

TEST_CASE("data: epoch order is a seeded uniform permutation") {
  std::vector<int> a, b, c;
  Rng r1(5), r2(5), r3(6);
  epoch_order(1000, r1, &a);
  epoch_order(1000, r2, &b);
  epoch_order(1000, r3, &c);
  CHECK(a == b);
  CHECK(a != c);
  std::vector<int> seen(1000, 0);
  for (int i : a) seen[static_cast<std::size_t>(i)]++;
  for (int k : seen) CHECK(k == 1);
  // Each of 5 items lands first with probability 1/5: 20000 shuffles, expected 4000 each,
  // standard deviation sqrt(20000 * 0.2 * 0.8) = 57; allow 5 sd.
  int first[5] = {};
  Rng r(7);
  std::vector<int> o;
  for (int t = 0; t < 20000; ++t) {
    epoch_order(5, r, &o);
    first[o[0]]++;
  }
  for (int k : first) CHECK(std::abs(k - 4000) < 5 * 57);
  epoch_order(0, r, &o);
  CHECK(o.empty());
}

TEST_CASE("data: synthetic sets have the documented centres and spreads") {
  ToyParams p;
  ToySet ring, grid, g1;
  REQUIRE(toy_defaults("ring", &p).ok);
  REQUIRE(make_toy_set("ring", p, &ring).ok);
  CHECK(ring.dim == 2);
  CHECK(ring.modes == 8);
  const double kPi = 3.14159265358979323846;
  for (int k = 0; k < 8; ++k) {  // on the circle of radius 2, 45 degrees apart
    const std::size_t i = static_cast<std::size_t>(2 * k);
    const double x = ring.centres[i], y = ring.centres[i + 1];
    CHECK(std::hypot(x, y) == doctest::Approx(2.0).epsilon(1e-6));
    CHECK(std::atan2(y, x) == doctest::Approx(std::remainder(k * kPi / 4, 2 * kPi)).epsilon(1e-6));
  }
  REQUIRE(toy_defaults("grid", &p).ok);
  REQUIRE(make_toy_set("grid", p, &grid).ok);
  CHECK(grid.modes == 25);
  CHECK(grid.stddev == 0.05f);
  int on_grid = 0;
  for (int k = 0; k < 25; ++k) {
    const std::size_t i = static_cast<std::size_t>(2 * k);
    const float x = grid.centres[i], y = grid.centres[i + 1];
    for (float a : {-4.f, -2.f, 0.f, 2.f, 4.f})
      for (float b : {-4.f, -2.f, 0.f, 2.f, 4.f}) on_grid += (x == a && y == b);
  }
  CHECK(on_grid == 25);  // 25 distinct centres, each one of {-4,-2,0,2,4}^2

  // Samples: each mode gets 1/K of them, and sits within its standard deviation.
  Rng rng(11);
  const int n = 40000;
  std::vector<float> buf(static_cast<std::size_t>(n) * 2);
  Tensor x = make_shape(n, 2);
  x.data = buf.data();
  toy_batch(ring, rng, x);
  int per_mode[8] = {};
  double sum_d2 = 0;
  for (int i = 0; i < n; ++i) {
    float d2 = 0;
    per_mode[nearest_centre(ring, x.data + 2 * i, &d2)]++;
    sum_d2 += d2;
  }
  // Counts: binomial(40000, 1/8), sd 66; allow 5 sd. Mean squared distance: 2 std^2 = 8e-4, its
  // estimate has relative sd sqrt(1/n) = 0.5%; allow 3%.
  for (int c : per_mode) CHECK(std::abs(c - 5000) < 5 * 66);
  CHECK(sum_d2 / n == doctest::Approx(2 * 0.02 * 0.02).epsilon(0.03));

  REQUIRE(toy_defaults("gauss1d", &p).ok);
  REQUIRE(make_toy_set("gauss1d", p, &g1).ok);
  Tensor x1 = make_shape(n, 1), z = make_shape(n, 1);
  std::vector<float> zbuf(static_cast<std::size_t>(n));
  x1.data = buf.data();
  z.data = zbuf.data();
  toy_batch(g1, rng, x1);
  toy_noise(g1, rng, z);
  double m = 0, v = 0, zm = 0, zmin = 1, zmax = 0;
  for (int i = 0; i < n; ++i) {
    m += x1.data[i];
    zm += z.data[i];
    zmin = std::fmin(zmin, z.data[i]);
    zmax = std::fmax(zmax, z.data[i]);
  }
  m /= n;
  zm /= n;
  for (int i = 0; i < n; ++i) v += (x1.data[i] - m) * (x1.data[i] - m);
  v /= n - 1;
  // N(-1, 1): mean has sd 1/sqrt(n) = 0.005, variance sd sqrt(2/n) = 0.007; uniform(0,1) mean sd
  // 0.29/sqrt(n) = 0.0015. Allow 5 sd.
  CHECK(std::fabs(m + 1.0) < 0.025);
  CHECK(std::fabs(v - 1.0) < 0.035);
  CHECK(std::fabs(zm - 0.5) < 0.0075);
  CHECK(zmin >= 0.0);
  CHECK(zmax < 1.0);
}

TEST_CASE("data: synthetic set parameters are checked") {
  ToyParams p;
  ToySet t;
  Status s = toy_defaults("spiral", &p);
  CHECK(contains(s.message, "unknown synthetic data set 'spiral' (known: ring, grid, gauss1d)"));
  REQUIRE(toy_defaults("ring", &p).ok);
  p.stddev = -1.f;
  CHECK(contains(make_toy_set("ring", p, &t).message, "--std must be a positive number, got -1"));
  p.stddev = 0.1f;
  p.modes = 0;
  CHECK(contains(make_toy_set("ring", p, &t).message, "--modes must be in 1..100000, got 0"));
  REQUIRE(toy_defaults("gauss1d", &p).ok);
  p.noise_lo = 2.f;
  CHECK(contains(make_toy_set("gauss1d", p, &t).message, "--noise-lo < --noise-hi"));
  REQUIRE(toy_defaults("grid", &p).ok);
  p.spacing = 0.f;
  CHECK_FALSE(make_toy_set("grid", p, &t).ok);
  p.spacing = 1.f;
  p.side = 3;  // centres at {-1, 0, 1}^2
  REQUIRE(make_toy_set("grid", p, &t).ok);
  CHECK(t.centres[0] == -1.f);
  CHECK(t.centres[2 * 8 + 1] == 1.f);
}

// The full Fashion-MNIST from `make data`: not run by default (it reads 30 MB). Run it with
//   build/test_dgm -tc="*full*" --no-skip
TEST_CASE("data: full Fashion-MNIST: loads, and the shipped subset is its first images" * doctest::skip()) {
  std::string dir;
  REQUIRE(resolve_data_dir("full", &dir).ok);
  ImageData full, sub;
  auto t0 = std::chrono::steady_clock::now();
  Status s = load_image_data(dir, &full);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE_MESSAGE(s.ok, s.message);
  MESSAGE("loaded " << dir << " (60,000 + 10,000 images, 54.9 MB decoded) in " << seconds << " s");
  CHECK(full.train.n == 60000);
  CHECK(full.test.n == 10000);
  REQUIRE(load_image_data(kSubsetDataDir, &sub).ok);
  CHECK(std::equal(sub.train.pixels.begin(), sub.train.pixels.end(), full.train.pixels.begin()));
  CHECK(std::equal(sub.train.labels.begin(), sub.train.labels.end(), full.train.labels.begin()));
  CHECK(std::equal(sub.test.pixels.begin(), sub.test.pixels.end(), full.test.pixels.begin()));
  CHECK(std::equal(sub.test.labels.begin(), sub.test.labels.end(), full.test.labels.begin()));
}

TEST_CASE("data: binarize draws each pixel once, as Bernoulli(p/255), the same on every call") {
  ImageSet set;
  set.n = 200; set.rows = 4; set.cols = 5;
  for (int i = 0; i < set.n * set.dim(); ++i) set.pixels.push_back(static_cast<std::uint8_t>((i * 37) % 256));
  set.labels.assign(static_cast<std::size_t>(set.n), 0);
  const std::vector<std::uint8_t> grey = set.pixels;
  ImageSet a = set, b = set, c = set;
  binarize(&a, 1);
  binarize(&b, 1);
  binarize(&c, 2);
  CHECK(a.pixels == b.pixels);   // a fixed draw: every model sees the same binary images
  CHECK(a.pixels != c.pixels);   // the test split's stream differs from the train split's
  double expect = 0, got = 0, var = 0;
  for (std::size_t j = 0; j < grey.size(); ++j) {
    const double p = grey[j] / 255.0;
    CHECK((a.pixels[j] == 0 || a.pixels[j] == 255));
    if (grey[j] == 0) CHECK(a.pixels[j] == 0);      // p = 0 never turns on
    if (grey[j] == 255) CHECK(a.pixels[j] == 255);  // p = 1 always does
    expect += p; got += a.pixels[j] / 255.0; var += p * (1 - p);
  }
  // The count of ones is a sum of independent Bernoulli(p_j): within 4 standard deviations.
  CHECK(std::fabs(got - expect) < 4 * std::sqrt(var));
}
