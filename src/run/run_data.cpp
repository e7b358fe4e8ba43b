// run_data.cpp - loading a run's data and cutting batches (see include/dgm/run/run_data.h).
#include "dgm/run/run_data.h"

#include <cstdio>

#include "dgm/core/checked.h"

namespace dgm {

Status load_run_data(const Config& c, RunData* d) {
  if (is_toy_data(c.data)) {
    ToyParams p;
    Status s = toy_defaults(c.data, &p);
    if (!s) return s;
    p.modes = c.modes;
    p.radius = c.radius;
    p.side = c.side;
    p.spacing = c.spacing;
    if (c.stddev >= 0) p.stddev = c.stddev;
    p.mean = c.mean;
    p.noise_lo = c.noise_lo;
    p.noise_hi = c.noise_hi;
    s = make_toy_set(c.data, p, &d->set);
    if (!s) return s;
    d->toy = true;
    d->info.dim = d->set.dim;
    d->info.classes = 0;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s (%d modes, std %g)", c.data.c_str(), d->set.modes, d->set.stddev);
    d->where = buf;
    return Status::Ok();
  }
  std::string dir;
  Status s = resolve_data_dir(c.data, &dir);
  if (!s) return s;
  s = load_image_data(dir, &d->images);
  if (!s) return s;
  if (c.binarize) binarize(&d->images);  // the one protocol: data.h
  d->toy = false;
  d->info.dim = d->images.train.dim();
  d->info.rows = d->images.train.rows;
  d->info.cols = d->images.train.cols;
  d->info.classes = kFashionClasses;
  d->where = c.binarize ? dir + " (binarized)" : dir;
  return Status::Ok();
}

std::string describe_run_data(const RunData& d) {
  char buf[512];
  if (d.toy)
    std::snprintf(buf, sizeof buf, "synthetic %s, %d-D points drawn fresh every step", d.where.c_str(), d.info.dim);
  else
    std::snprintf(buf, sizeof buf, "%s: %d train and %d test images, %dx%d, %d classes", d.where.c_str(),
                  d.images.train.n, d.images.test.n, d.info.rows, d.info.cols, d.info.classes);
  return buf;
}

int steps_per_epoch(const RunData& d, int B, int per_step) {
  if (d.toy) return 0;
  int rows = 0;  // B x per_step; an overflowing product cannot fit the data: no whole step
  if (B < 1 || per_step < 1 || !checked_mul(B, per_step, &rows)) return 0;
  return d.images.train.n / rows;  // the remainder of a shuffled epoch is dropped
}

// Batches are built by the host (in the arena on a CPU tape; in host scratch on a device tape)
// and then uploaded (a no-op on a CPU tape): the minibatch is what goes up to the GPU.
Batch train_batch(Tape& t, const RunData& d, const int* idx, int B, int minibatches, PixelScale scale, Rng& rng) {
  const int n = B * minibatches;  // the trainer's rows_per_step, checked against overflow
  Batch b;
  b.minibatches = minibatches;
  b.x = t.host_alloc(make_shape(n, d.info.dim));
  if (d.toy) {
    toy_batch(d.set, rng, b.x);
    b.x = t.upload(b.x);
    return b;
  }
  image_batch(d.images.train, idx, n, scale, b.x);
  b.y = t.host_alloc(make_shape(n, d.info.classes));
  onehot_batch(d.images.train, idx, n, d.info.classes, b.y);
  b.x = t.upload(b.x);
  b.y = t.upload(b.y);
  return b;
}

Batch test_batch(Tape& t, const RunData& d, int begin, int n, PixelScale scale) {
  Batch b;
  b.x = t.host_alloc(make_shape(n, d.info.dim));
  b.y = t.host_alloc(make_shape(n, d.info.classes));
  // Consecutive indices: a small index array in host memory of the tape (no heap allocation).
  int* idx = reinterpret_cast<int*>(t.host_alloc(make_shape(n)).data);
  for (int i = 0; i < n; ++i) idx[i] = begin + i;
  image_batch(d.images.test, idx, n, scale, b.x);
  onehot_batch(d.images.test, idx, n, d.info.classes, b.y);
  b.x = t.upload(b.x);
  b.y = t.upload(b.y);
  return b;
}

}  // namespace dgm
