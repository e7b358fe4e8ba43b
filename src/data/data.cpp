// data.cpp - Fashion-MNIST loading and batching, synthetic sets (see include/dgm/data/data.h).
#include "dgm/data/data.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "dgm/core/check.h"
#include "dgm/io/idx.h"
#include "dgm/io/suggest.h"

namespace dgm {

const char* const kSubsetDataDir = "datasets/fashion-mnist-subset";
const char* const kSystemDataDir = "/usr/share/datasets/fashion-mnist";

namespace {

const char* const kFiles[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                               "t10k-labels-idx1-ubyte"};

bool file_exists(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  std::fclose(f);
  return true;
}

std::string join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

// dir/NAME.gz if it exists, else dir/NAME; empty if neither.
std::string find_file(const std::string& dir, const char* name) {
  std::string gz = join(dir, std::string(name) + ".gz");
  if (file_exists(gz)) return gz;
  std::string plain = join(dir, name);
  return file_exists(plain) ? plain : std::string();
}

Status load_split(const std::string& dir, const char* images_name, const char* labels_name, ImageSet* set) {
  const std::string images_path = find_file(dir, images_name), labels_path = find_file(dir, labels_name);
  for (const std::string* p : {&images_path, &labels_path}) {
    if (p->empty()) {
      const char* name = p == &images_path ? images_name : labels_name;
      return Status::Error("%s: neither %s.gz nor %s found (expected the four Fashion-MNIST IDX files; `make data` "
                           "installs them in %s)", dir.c_str(), name, name, kSystemDataDir);
    }
  }
  IdxImages images;
  Status s = load_idx_images(images_path, &images);
  if (!s) return s;
  IdxLabels labels;
  s = load_idx_labels(labels_path, &labels);
  if (!s) return s;
  if (images.n != labels.n)
    return Status::Error("%s has %d images but %s has %d labels (expected one label per image)", images_path.c_str(),
                         images.n, labels_path.c_str(), labels.n);
  if (images.n == 0) return Status::Error("%s: the file holds no images", images_path.c_str());
  for (int i = 0; i < labels.n; ++i)
    if (labels.labels[static_cast<std::size_t>(i)] >= kFashionClasses)
      return Status::Error("%s: label %u at index %d, expected 0..%d", labels_path.c_str(),
                           labels.labels[static_cast<std::size_t>(i)], i, kFashionClasses - 1);
  set->n = images.n;
  set->rows = images.rows;
  set->cols = images.cols;
  set->pixels = std::move(images.pixels);
  set->labels = std::move(labels.labels);
  return Status::Ok();
}

}  // namespace

bool has_fashion_files(const std::string& dir) {
  for (const char* name : kFiles)
    if (find_file(dir, name).empty()) return false;
  return true;
}

Status resolve_data_dir(const std::string& flag, std::string* dir) {
  if (flag == "full" && !has_fashion_files(flag)) {
    if (!has_fashion_files(kSystemDataDir))
      return Status::Error("--data full: the full Fashion-MNIST is not in %s (`make data` installs Debian's "
                           "dataset-fashion-mnist there)", kSystemDataDir);
    *dir = kSystemDataDir;
    return Status::Ok();
  }
  if (!flag.empty()) {  // load_image_data says what is missing there
    std::error_code ec;
    if (!std::filesystem::is_directory(flag, ec))  // a mistyped synthetic set, or a wrong folder
      return Status::Error("--data '%s' is neither a synthetic set (%s%s) nor a folder. For Fashion-MNIST "
                           "pass a folder holding its four IDX files (%s.gz, ...), or 'full' for %s", flag.c_str(),
                           toy_names(), did_you_mean(flag, {"ring", "grid", "gauss1d", "full"}).c_str(), kFiles[0],
                           kSystemDataDir);
    *dir = flag;
    return Status::Ok();
  }
  for (const char* candidate : {kSubsetDataDir, kSystemDataDir}) {
    if (has_fashion_files(candidate)) {
      *dir = candidate;
      return Status::Ok();
    }
  }
  return Status::Error("no Fashion-MNIST data found: looked in %s (shipped with the sources; run from the project "
                       "folder) and %s (`make data` installs it); or pass --data DIR", kSubsetDataDir, kSystemDataDir);
}

Status load_image_data(const std::string& dir, ImageData* out) {
  ImageData d;
  d.dir = dir;
  Status s = load_split(dir, kFiles[0], kFiles[1], &d.train);
  if (!s) return s;
  s = load_split(dir, kFiles[2], kFiles[3], &d.test);
  if (!s) return s;
  if (d.train.rows != d.test.rows || d.train.cols != d.test.cols)
    return Status::Error("%s: train images are %d x %d but test images are %d x %d (expected the same size)",
                         dir.c_str(), d.train.rows, d.train.cols, d.test.rows, d.test.cols);
  *out = std::move(d);
  return Status::Ok();
}

void image_batch(const ImageSet& set, const int* idx, int count, PixelScale scale, Tensor x) {
  const int dim = set.dim();
  DGM_CHECK(x.rows() == count && x.cols() == dim, "image_batch: x %s, expected (%d, %d)", shape_str(x).text, count,
            dim);
  for (int b = 0; b < count; ++b) {
    DGM_CHECK(idx[b] >= 0 && idx[b] < set.n, "image_batch: index %d of row %d outside 0..%d", idx[b], b, set.n - 1);
    const std::uint8_t* p = set.pixels.data() + static_cast<std::size_t>(idx[b]) * static_cast<std::size_t>(dim);
    float* row = x.data + static_cast<std::size_t>(b) * static_cast<std::size_t>(dim);
    if (scale == PixelScale::kUnit) {
      for (int i = 0; i < dim; ++i) row[i] = static_cast<float>(p[i]) / 255.f;
    } else {  // (2p - 255) / 255: exact at p = 0 (-1) and p = 255 (+1)
      for (int i = 0; i < dim; ++i) row[i] = (2.f * static_cast<float>(p[i]) - 255.f) / 255.f;
    }
  }
}

void onehot_batch(const ImageSet& set, const int* idx, int count, int classes, Tensor y) {
  DGM_CHECK(y.rows() == count && y.cols() == classes, "onehot_batch: y %s, expected (%d, %d)", shape_str(y).text,
            count, classes);
  fill(y, 0.f);
  for (int b = 0; b < count; ++b) {
    DGM_CHECK(idx[b] >= 0 && idx[b] < set.n, "onehot_batch: index %d of row %d outside 0..%d", idx[b], b, set.n - 1);
    const int label = set.labels[static_cast<std::size_t>(idx[b])];
    DGM_CHECK(label < classes, "onehot_batch: label %d of image %d, but only %d classes", label, idx[b], classes);
    y.data[static_cast<std::size_t>(b) * static_cast<std::size_t>(classes) + static_cast<std::size_t>(label)] = 1.f;
  }
}

float unit_pixel(float x, PixelScale scale) {
  const float v = scale == PixelScale::kUnit ? x : (x + 1.f) * 0.5f;
  return v < 0.f ? 0.f : v > 1.f ? 1.f : v;  // NaN fails both tests and stays NaN
}

std::uint8_t pixel_byte(float x, PixelScale scale) {
  const float v = scale == PixelScale::kUnit ? x * 255.f : (x + 1.f) * 127.5f;
  if (!(v > 0.f)) return 0;  // also NaN
  if (v >= 255.f) return 255;
  return static_cast<std::uint8_t>(v + 0.5f);
}

void binarize(ImageSet* set, std::uint64_t stream) {
  Rng rng(kBinarizeSeed, stream);
  // below(255) is uniform on 0..254, so P(below(255) < p) = p / 255 exactly (p = 0 -> 0, 255 -> 1).
  for (std::uint8_t& p : set->pixels) p = rng.below(255) < p ? 255 : 0;
}

void binarize(ImageData* data) {
  binarize(&data->train, 1);
  binarize(&data->test, 2);
}

void epoch_order(int n, Rng& rng, std::vector<int>* order) {
  DGM_CHECK(n >= 0, "epoch_order: n = %d", n);
  order->resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) (*order)[static_cast<std::size_t>(i)] = i;
  for (int i = n - 1; i > 0; --i)  // Fisher-Yates: position i gets a uniform pick of 0..i
    std::swap((*order)[static_cast<std::size_t>(i)], (*order)[rng.below(static_cast<std::uint32_t>(i) + 1)]);
}

// ---- synthetic sets -------------------------------------------------------------------------

const char* toy_names() { return "ring, grid, gauss1d"; }

Status toy_defaults(const std::string& name, ToyParams* p) {
  *p = ToyParams();
  if (name == "ring") {
    p->modes = 8;
    p->radius = 2.f;
    p->stddev = 0.02f;
  } else if (name == "grid") {
    p->side = 5;
    p->spacing = 2.f;
    p->stddev = 0.05f;
  } else if (name == "gauss1d") {
    p->mean = -1.f;
    p->stddev = 1.f;
    p->noise_lo = 0.f;
    p->noise_hi = 1.f;
  } else {
    return Status::Error("unknown synthetic data set '%s' (known: %s)", name.c_str(), toy_names());
  }
  return Status::Ok();
}

Status make_toy_set(const std::string& name, const ToyParams& p, ToySet* out) {
  ToySet t;
  t.name = name;
  if (!(p.stddev > 0.f) || !std::isfinite(p.stddev))
    return Status::Error("%s: --std must be a positive number, got %g", name.c_str(), double(p.stddev));
  t.stddev = p.stddev;
  if (name == "ring") {
    if (p.modes < 1 || p.modes > 100000)
      return Status::Error("ring: --modes must be in 1..100000, got %d", p.modes);
    if (!(p.radius >= 0.f) || !std::isfinite(p.radius))
      return Status::Error("ring: --radius must be a non-negative number, got %g", double(p.radius));
    t.dim = 2;
    t.modes = p.modes;
    const double kPi = 3.14159265358979323846;
    for (int k = 0; k < p.modes; ++k) {
      const double angle = 2.0 * kPi * k / p.modes;
      t.centres.push_back(static_cast<float>(p.radius * std::cos(angle)));
      t.centres.push_back(static_cast<float>(p.radius * std::sin(angle)));
    }
  } else if (name == "grid") {
    if (p.side < 1 || p.side > 1000) return Status::Error("grid: --side must be in 1..1000, got %d", p.side);
    if (!(p.spacing > 0.f) || !std::isfinite(p.spacing))
      return Status::Error("grid: --spacing must be a positive number, got %g", double(p.spacing));
    t.dim = 2;
    t.modes = p.side * p.side;
    const double half = (p.side - 1) / 2.0;
    for (int i = 0; i < p.side; ++i)  // centre i*side + j is (x_i, y_j)
      for (int j = 0; j < p.side; ++j) {
        t.centres.push_back(static_cast<float>(p.spacing * (i - half)));
        t.centres.push_back(static_cast<float>(p.spacing * (j - half)));
      }
  } else if (name == "gauss1d") {
    if (!std::isfinite(p.mean)) return Status::Error("gauss1d: --mean must be a finite number, got %g", double(p.mean));
    if (!(p.noise_lo < p.noise_hi) || !std::isfinite(p.noise_lo) || !std::isfinite(p.noise_hi))
      return Status::Error("gauss1d: the noise range needs --noise-lo < --noise-hi, got %g and %g", double(p.noise_lo),
                           double(p.noise_hi));
    t.dim = 1;
    t.modes = 1;
    t.centres.push_back(p.mean);
    t.noise_lo = p.noise_lo;
    t.noise_hi = p.noise_hi;
  } else {
    return Status::Error("unknown synthetic data set '%s' (known: %s)", name.c_str(), toy_names());
  }
  *out = std::move(t);
  return Status::Ok();
}

void toy_batch(const ToySet& set, Rng& rng, Tensor x) {
  DGM_CHECK(set.modes >= 1 && x.cols() == set.dim, "toy_batch: x %s for the %d-d set '%s'", shape_str(x).text,
            set.dim, set.name.c_str());
  const int rows = x.rows();
  for (int b = 0; b < rows; ++b) {
    const int k = set.modes == 1 ? 0 : static_cast<int>(rng.below(static_cast<std::uint32_t>(set.modes)));
    for (int d = 0; d < set.dim; ++d)
      x.data[b * set.dim + d] = set.centres[static_cast<std::size_t>(k * set.dim + d)] + set.stddev * rng.normal();
  }
}

void toy_noise(const ToySet& set, Rng& rng, Tensor z) { rng.fill_uniform(z, set.noise_lo, set.noise_hi); }

int nearest_centre(const ToySet& set, const float* x, float* dist2) {
  int best = -1;
  float best_d2 = 0.f;
  for (int k = 0; k < set.modes; ++k) {
    float d2 = 0.f;
    for (int d = 0; d < set.dim; ++d) {
      const float diff = x[d] - set.centres[static_cast<std::size_t>(k * set.dim + d)];
      d2 += diff * diff;
    }
    if (best < 0 || d2 < best_d2) {
      best = k;
      best_d2 = d2;
    }
  }
  if (dist2) *dist2 = best_d2;
  return best;
}

}  // namespace dgm
