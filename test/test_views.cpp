// test_views.cpp - the views of src/run/views.cpp: inpainting keeps the known pixels and fills the
// hole by the iteration x^(t+1) = m x + (1 - m) r(x^t); --interp's line starts and ends at the
// codes of the two test images; the manifold needs a 2-D code.
#include <doctest/doctest.h>

#include "built_model.h"

#include <cstdio>
#include <vector>

#include "dgm/run/config.h"
#include "dgm/io/fileio.h"
#include "dgm/run/views.h"

using namespace dgm;

namespace {

// A small untrained model on 4 x 4 "images" and a RunData holding 6 test images.
struct ViewFixture {
  Config c;
  std::unique_ptr<Model> m;
  RunData d;
  Arena arena;
  ViewFixture(const char* model, int latent) {
    c = config_defaults(model, "");
    c.hidden = {8};
    c.latent = latent;
    d.info.dim = 16;
    d.info.rows = d.info.cols = 4;
    d.info.classes = 10;
    d.where = "test images";
    ImageSet& s = d.images.test;
    s.n = 6;
    s.rows = s.cols = 4;
    Rng rng(3);
    for (int i = 0; i < 6 * 16; ++i) s.pixels.push_back(static_cast<std::uint8_t>(rng.below(256)));
    s.labels.assign(6, 0);
    m = built_model(model, c, d.info, 1);
  }
  std::vector<float> image(int i) const {
    std::vector<float> x(16);
    for (int j = 0; j < 16; ++j) x[static_cast<std::size_t>(j)] = d.images.test.pixels[static_cast<std::size_t>(i * 16 + j)] / 255.f;
    return x;
  }
  std::vector<float> reconstruct(const std::vector<float>& x) {
    Tape t(arena);
    Tensor in = t.alloc(make_shape(static_cast<int>(x.size()) / 16, 16)), out = t.alloc(in);
    std::copy(x.begin(), x.end(), in.data);
    REQUIRE(m->reconstruct(t, in, out));
    std::vector<float> r(out.data, out.data + out.size());
    t.reset();
    return r;
  }
};

}  // namespace

TEST_CASE("views: square_hole masks a size x size square, clipped to the image") {
  const std::vector<float> m = square_hole(4, 5, 1, 3, 3);
  int holes = 0;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 5; ++c) {
      const bool in = r >= 1 && r < 4 && c >= 3 && c < 5;
      CHECK(m[static_cast<std::size_t>(r * 5 + c)] == (in ? 0.f : 1.f));
      holes += in;
    }
  CHECK(holes == 6);
}

TEST_CASE("views: inpainting keeps every known pixel and iterates the reconstruction in the hole") {
  for (const char* model : {"vae", "dae"}) {
    ViewFixture f(model, 3);
    std::vector<float> x = f.image(0);
    const std::vector<float> x1 = f.image(1);
    x.insert(x.end(), x1.begin(), x1.end());  // two images
    const std::vector<float> mask = square_hole(4, 4, 1, 1, 2);
    std::vector<float> out(32, -7.f);
    REQUIRE(inpaint(*f.m, f.arena, x.data(), 2, 16, mask.data(), 0.25f, 3, out.data()));
    // The same three steps written out: x^0 = m x + (1 - m) 0.25, x^(t+1) = m x + (1 - m) r(x^t).
    std::vector<float> cur(32);
    for (int i = 0; i < 32; ++i) cur[static_cast<std::size_t>(i)] = mask[static_cast<std::size_t>(i % 16)] > 0 ? x[static_cast<std::size_t>(i)] : 0.25f;
    for (int it = 0; it < 3; ++it) {
      const std::vector<float> r = f.reconstruct(cur);
      for (int i = 0; i < 32; ++i)
        cur[static_cast<std::size_t>(i)] = mask[static_cast<std::size_t>(i % 16)] > 0 ? x[static_cast<std::size_t>(i)] : r[static_cast<std::size_t>(i)];
    }
    int hole = 0;
    for (int i = 0; i < 32; ++i) {
      if (mask[static_cast<std::size_t>(i % 16)] > 0) {
        CHECK(out[static_cast<std::size_t>(i)] == x[static_cast<std::size_t>(i)]);  // bit for bit
      } else {
        ++hole;
        CHECK(out[static_cast<std::size_t>(i)] == cur[static_cast<std::size_t>(i)]);
        CHECK(out[static_cast<std::size_t>(i)] != 0.25f);  // filled by the model, not left at the fill
      }
    }
    CHECK(hole == 8);
  }
  ViewFixture g("gan", 3);  // no encoder: nothing to iterate
  std::vector<float> x = g.image(0), out(16);
  const std::vector<float> mask = square_hole(4, 4, 1, 1, 2);
  CHECK_FALSE(inpaint(*g.m, g.arena, x.data(), 1, 16, mask.data(), 0.f, 1, out.data()));
}

TEST_CASE("views: --interp decodes the line between two test images' codes; its ends are their reconstructions") {
  for (const char* model : {"vae", "ae"}) {
    ViewFixture f(model, 3);
    std::vector<float> line;
    REQUIRE(interpolate(*f.m, f.arena, f.d, 2, 5, 5, &line).ok);
    REQUIRE(line.size() == 5 * 16);
    const std::vector<float> ra = f.reconstruct(f.image(2)), rb = f.reconstruct(f.image(5));
    for (int j = 0; j < 16; ++j) {
      CHECK(line[static_cast<std::size_t>(j)] == doctest::Approx(ra[static_cast<std::size_t>(j)]).epsilon(1e-6));
      CHECK(line[static_cast<std::size_t>(4 * 16 + j)] == doctest::Approx(rb[static_cast<std::size_t>(j)]).epsilon(1e-6));
    }
    // The midpoint decodes (z_A + z_B) / 2.
    Tape t(f.arena);
    Tensor xa = t.alloc(make_shape(1, 16)), xb = t.alloc(make_shape(1, 16));
    const std::vector<float> a = f.image(2), b = f.image(5);
    std::copy(a.begin(), a.end(), xa.data);
    std::copy(b.begin(), b.end(), xb.data);
    Tensor za = t.alloc(make_shape(1, 3)), zb = t.alloc(make_shape(1, 3)), zm = t.alloc(make_shape(1, 3));
    REQUIRE(f.m->encode(t, xa, za));
    REQUIRE(f.m->encode(t, xb, zb));
    for (int j = 0; j < 3; ++j) zm.data[j] = 0.5f * za.data[j] + 0.5f * zb.data[j];
    Tensor mid = t.alloc(make_shape(1, 16));
    f.m->generate(t, zm, Tensor{}, mid);
    for (int j = 0; j < 16; ++j) CHECK(line[static_cast<std::size_t>(2 * 16 + j)] == doctest::Approx(mid.data[j]).epsilon(1e-6));
    CHECK_FALSE(interpolate(*f.m, f.arena, f.d, 0, 6, 5, &line).ok);  // index past the 6 test images
    CHECK_FALSE(interpolate(*f.m, f.arena, f.d, 0, 1, 1, &line).ok);  // a line needs two points
  }
  ViewFixture g("gan", 3);
  std::vector<float> line;
  const Status s = interpolate(*g.m, g.arena, g.d, 0, 1, 5, &line);
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("no encoder") != std::string::npos);
}

TEST_CASE("views: the manifold view needs a 2-D code and writes a side x side sheet") {
  ViewFixture f3("vae", 3);
  CHECK_FALSE(write_manifold(*f3.m, f3.arena, f3.d, 5, "build/test-runs/manifold-3d.png").ok);
  ViewFixture f2("vae", 2);
  REQUIRE(make_dirs("build/test-runs").ok);
  REQUIRE(write_manifold(*f2.m, f2.arena, f2.d, 5, "build/test-runs/manifold-2d.png").ok);
  std::vector<std::uint8_t> png;
  REQUIRE(read_file("build/test-runs/manifold-2d.png", &png).ok);
  // IHDR width and height: 5 tiles of 4 pixels, no border.
  REQUIRE(png.size() > 24);
  CHECK((png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19]) == 20);
  CHECK((png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23]) == 20);
}
