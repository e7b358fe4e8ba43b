// data.h - the data the models learn from.
//
// 1. Fashion-MNIST (Xiao, Rasul, Vollgraf 2017; Zalando Research, MIT licence): 28x28 grey
//    images of clothes in 10 classes, 60,000 train + 10,000 test, as IDX files (see idx.h).
//    The images stay as bytes (47 MB for the full train set; floats would be 188 MB) and are
//    converted to floats one batch at a time: x = p/255 in [0,1] for a sigmoid/Bernoulli decoder,
//    or x = 2p/255 - 1 in [-1,1] where the generator's output is tanh.
//    Where the files are looked for (resolve_data_dir): --data DIR if given, else the subset
//    shipped in datasets/fashion-mnist-subset (the first 10,000 train / 2,000 test images),
//    else Debian's dataset-fashion-mnist in /usr/share/datasets/fashion-mnist (`make data`).
//
// 2. Synthetic sets of the GAN lectures, sampled fresh every batch from our Rng:
//    ring    - a mixture of `modes` equal Gaussians with centres on a circle, the usual
//              mode-collapse test ([HSE] Немного о коллапсе моды; Metz et al. 2017 "Unrolled GANs").
//    grid    - side x side Gaussians at {-4,-2,0,2,4}^2 for side 5, spacing 2 (VEEGAN, PacGAN).
//    gauss1d - the lecture's 1-D example: data N(-1, 1), generator input z ~ uniform(0, 1)
//              ([Utkin] Возвращаясь к порождающим моделям (практика)).
//    The mode centres are exposed, for coverage metrics (how many modes the samples reach).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/core/rng.h"
#include "dgm/io/status.h"
#include "dgm/core/tensor.h"

namespace dgm {

// ---- Fashion-MNIST --------------------------------------------------------------------------

extern const char* const kSubsetDataDir;  // "datasets/fashion-mnist-subset" (relative to the working directory)
extern const char* const kSystemDataDir;  // "/usr/share/datasets/fashion-mnist"
constexpr int kFashionClasses = 10;

// One split: n images of rows x cols bytes and their labels.
struct ImageSet {
  int n = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // (n, rows*cols), 0..255, 0 = background
  std::vector<std::uint8_t> labels;  // (n), each in 0..kFashionClasses-1
  int dim() const { return rows * cols; }
};

struct ImageData {
  std::string dir;  // where it was loaded from
  ImageSet train;   // from train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]
  ImageSet test;    // from t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]
};

// The directory to load. flag: the --data value; empty means the default search above. The word
// "full" means kSystemDataDir (unless a directory named "full" holds the files), and is an error
// if the files are not there. Any other flag must be a folder (else the error lists the synthetic
// sets, with the nearest one to a typo such as "ringg") and is returned as is (load_image_data
// reports what is missing there). An error lists the places searched and says how to get the data.
Status resolve_data_dir(const std::string& flag, std::string* dir);

// Whether dir holds the four Fashion-MNIST files (each as NAME.gz or NAME); their contents are
// not read (load_image_data checks them).
bool has_fashion_files(const std::string& dir);

// Loads the four files from dir, each as NAME.gz or, if that is missing, NAME. Checks: the IDX
// format (idx.h), as many labels as images in each split, the same image size in both splits,
// labels below kFashionClasses. Peak memory while loading: the largest compressed file plus the
// decoded bytes (about 73 MB for the full train images, then 47 MB kept).
Status load_image_data(const std::string& dir, ImageData* out);

enum class PixelScale {
  kUnit,    // x = p / 255, in [0, 1]
  kSigned,  // x = 2 p / 255 - 1, in [-1, 1] (for tanh outputs)
};

// x: (B, set.dim()) with B = count; row b is image idx[b] scaled as asked.
void image_batch(const ImageSet& set, const int* idx, int count, PixelScale scale, Tensor x);
// y: (B, classes) with B = count; row b is the one-hot code of label idx[b].
void onehot_batch(const ImageSet& set, const int* idx, int count, int classes, Tensor y);
// A float pixel back to a byte: the inverse of the scale, clamped to [0, 255] and rounded.
std::uint8_t pixel_byte(float x, PixelScale scale);
// A float pixel in the model's scale as a pixel in [0, 1]: x itself (kUnit) or (x + 1) / 2
// (kSigned), clamped to [0, 1] as pixel_byte clamps (a Gaussian decoder's mean may leave the
// range); NaN stays NaN.
float unit_pixel(float x, PixelScale scale);

// Binarized Fashion-MNIST, the protocol every likelihood table of dgm uses (the energy-based
// models, which need binary units, the pixel models and the VAE beside them): each byte p becomes
// 255 with probability p/255 and 0 otherwise (stochastic binarization, Salakhutdinov & Murray 2008,
// "On the quantitative analysis of deep belief networks", ICML), drawn ONCE per image with a fixed
// seed, so every model and every run sees the same binary images. The draw for pixel j of image i
// of a split uses Rng(kBinarizeSeed, stream) advanced in index order: train uses stream 1, test
// stream 2. The result stays an ImageSet (bytes 0 or 255), so image_batch(kUnit) gives x in {0, 1}.
constexpr std::uint64_t kBinarizeSeed = 20261201;
void binarize(ImageSet* set, std::uint64_t stream);
void binarize(ImageData* data);  // train with stream 1, test with stream 2

// The order of one epoch: a uniformly random permutation of 0..n-1 (Fisher-Yates with
// rng.below), the same for the same Rng state on every machine.
void epoch_order(int n, Rng& rng, std::vector<int>* order);

// ---- synthetic sets -------------------------------------------------------------------------

// The knobs of all synthetic sets; toy_defaults fills the ones a set uses, flags override them.
// Error messages call them by the flag names --modes --radius --side --spacing --std --mean
// --noise-lo --noise-hi.
struct ToyParams {
  int modes = 8;           // ring: number of Gaussians on the circle
  float radius = 2.f;      // ring: radius of the circle of centres
  int side = 5;            // grid: side x side Gaussians
  float spacing = 2.f;     // grid: distance between neighbouring centres (centred on 0)
  float stddev = 0.02f;    // ring, grid, gauss1d: standard deviation of each coordinate of a mode
  float mean = -1.f;       // gauss1d: mean of the data
  float noise_lo = 0.f;    // gauss1d: the generator's input z ~ uniform(noise_lo, noise_hi)
  float noise_hi = 1.f;
};

// Defaults: ring   modes 8, radius 2, stddev 0.02 (Metz et al.)
//           grid   side 5, spacing 2, stddev 0.05 (centres {-4,-2,0,2,4}^2)
//           gauss1d mean -1, stddev 1, noise uniform(0, 1) ([Utkin])
// An unknown name is an error that lists the known ones.
Status toy_defaults(const std::string& name, ToyParams* p);
const char* toy_names();  // "ring, grid, gauss1d"

struct ToySet {
  std::string name;
  int dim = 0;                // 2 for ring and grid, 1 for gauss1d
  int modes = 0;              // number of mixture components (1 for gauss1d)
  std::vector<float> centres; // (modes, dim)
  float stddev = 0.f;         // of each coordinate of each mode
  float noise_lo = 0.f, noise_hi = 1.f;  // gauss1d's generator noise
};

// Checks the parameters (positive counts and standard deviations, noise_lo < noise_hi) and
// builds the set: ring centre k = radius (cos 2 pi k/modes, sin 2 pi k/modes); grid centre (i, j)
// = spacing (i - (side-1)/2, j - (side-1)/2); gauss1d one centre at mean.
Status make_toy_set(const std::string& name, const ToyParams& p, ToySet* out);

// x: (B, set.dim): each row picks a mode uniformly (rng.below) and adds stddev * N(0, 1) noise.
void toy_batch(const ToySet& set, Rng& rng, Tensor x);
// z: any shape; each element uniform(noise_lo, noise_hi) (gauss1d's generator input).
void toy_noise(const ToySet& set, Rng& rng, Tensor z);
// The index of the centre nearest to the point x[0..dim), and its squared distance.
int nearest_centre(const ToySet& set, const float* x, float* dist2);

}  // namespace dgm
