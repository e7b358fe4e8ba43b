// likelihood_table.h - one table of test negative log-likelihoods on binarized Fashion-MNIST,
// each beside sample-quality figures from the project's classifier, and the Theis et al. row
// ([MIPT] "Как строить порождающие модели?": "высокое правдоподобие и хорошее качество
// сэмплирования могут быть не взаимосвязаны (Theis et al., 2015)"; Theis, van den Oord, Bethge
// 2016, "A note on the evaluation of generative models", ICLR, section 3.2).
//
// Every figure is on the binarize() protocol (data.h): the same binary test images for all rows.
//   NLL        -log p(x) in nats per image, mean over the test images used; se = the standard
//              error of that mean from the spread of its batch means (batches of equal size).
//              VAE: -ELBO (one z; an upper bound) and -IWAE (k samples; a tighter upper bound,
//              Burda et al. 2016); MADE: exact.
//   entropy    the class entropy of the judge's labels of the model's samples, nats (log 10 =
//              2.303 when the ten classes are equally frequent, 0 when all samples look alike).
//   CAS        "classifier accuracy score" (Ravuri & Vinyals 2019): a fresh classifier is trained
//              on the samples labelled by the judge, and its accuracy on the real binarized test
//              images is the figure: samples that cover every class with class-like images train
//              a good classifier; noise or one class does not.
//   Theis row  p_mix = 0.01 p_best + 0.99 p_noise, p_noise uniform on {0,1}^D (log p_noise =
//              -D log 2). Per image log p_mix(x) = log(0.01 p_best(x) + 0.99 p_noise(x))
//              >= log 0.01 + log p_best(x), so its NLL is at most NLL_best + log 100 (4.61 nats),
//              while 99% of its samples are noise: computed per test image, not asserted.
//   Fréchet    the Fréchet distance (Heusel et al. 2017; dgm/run/frechet.h) between the judge's
//              last-hidden-layer features of min(samples, test images) samples and as many real
//              binarized test images; the data row's figure is the floor, binarized training
//              images against the test images (what a perfect generator scores with that many).
//   RBM, DBN, DBM rows (dgm/models/rbm_ais.h, dbn.h, dbm_ais.h): nll = -(the AIS estimate of the
//              mean log p(v)), se = sqrt(ais_se^2 + data_se^2) (the AIS se of log Z and the
//              spread over the images: independent, so their variances add). The RBM's is an
//              estimate of log p itself; the DBN's and the DBM's are variational lower bounds on
//              log p (so their NLL is an upper bound), each up to the AIS error of its log Z.
//              Their samples: p(v | h) after `gibbs` block Gibbs steps of as many chains as
//              samples, from uniform random states (the DBN: in the top RBM, then the downward
//              pass), drawn to binary x ~ Bernoulli(p).
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "dgm/run/classifier.h"
#include "dgm/models/model.h"
#include "dgm/run/run_data.h"

namespace dgm {

struct LikelihoodRow {
  std::string model;        // "VAE", "MADE", "0.01 MADE + 0.99 noise", "binarized training images"
  std::string method;       // "-ELBO, 1 z", "-IWAE, k = 5000", "exact", "exact mixture"
  double nll = NAN, se = NAN;  // nats per image (NAN: no likelihood, e.g. the data row)
  int n_test = 0;           // test images the NLL is over
  double seconds = 0;       // wall time of the NLL
  double entropy = NAN;     // class entropy of the judge's labels of the samples, nats
  double cas = NAN;         // accuracy on real test images of a classifier trained on the samples
  double frechet = NAN;     // Fréchet distance of the samples to the test images (the data row: the floor)
  std::string note;
};

struct LikelihoodTable {
  std::string data;          // the data folder (binarized)
  int n_samples = 0;         // samples per model for entropy and CAS
  double judge_accuracy = 0; // the judge's accuracy on the binarized test set
  std::vector<LikelihoodRow> rows;
  double frechet_floor = NAN;  // binarized training vs test images (the data row's Fréchet)
  int frechet_n = 0;           // images on each side of every Fréchet distance
  // The Theis et al. check, computed: NLL_mix - NLL_best (<= log 100) and the noise fraction.
  double theis_gap = NAN, theis_noise = NAN;
  std::string lesson;        // one paragraph: what the table teaches
};

// The judge: the project's classifier (classifier.h) with pixels in [0, 1], trained on the
// binarized training images for `epochs`.
void train_judge(Classifier* judge, const RunData& d, int epochs, Rng& rng);

// The mean over test images [0, n) of metric `name` of m.evaluate, in batches of `batch`
// images; se from the batch means. seconds: wall time.
void test_metric(Model& m, const RunData& d, int n, int batch, const char* name, std::uint64_t seed, double* mean,
                 double* se, double* seconds);

// n binary samples (n, dim) of m: z from its prior, then x ~ Bernoulli(generate(z)) (a VAE's
// decoder means become binary images; MADE's samples are binary already and stay as they are).
std::vector<float> binary_samples(Model& m, int dim, int n, Rng& rng);

// Class entropy (nats) of the judge's labels of samples (n, dim), and the CAS accuracy: a
// classifier with the judge's options trained on them (labelled by the judge) and tested on the
// real test split of d.
// frechet (if not null): the Fréchet distance above, of the first min(n, test images) samples.
void sample_quality(Classifier& judge, const RunData& d, const std::vector<float>& samples, int n, Rng& rng,
                    double* entropy, double* cas, double* frechet = nullptr);

// The Theis et al. row from the best model's exact per-image log p over test images [0, n) and
// its samples: NLL of 0.01 p_best + 0.99 uniform noise, and the mixture's samples (each the
// best model's with probability 0.01, else uniform noise) judged as the others.
LikelihoodRow theis_row(Model& best, const std::string& best_name, const std::vector<float>& best_samples,
                        Classifier& judge, const RunData& d, int n, Rng& rng, double* gap, double* noise_fraction);

struct LikelihoodOptions;
// One energy-based row (above): the AIS figure of a `dgm train rbm|dbn|dbm` checkpoint on d's
// (binarized) test images, with o.ais_betas x o.ais_runs (seed 1), and ns samples after o.gibbs
// Gibbs steps through sample_quality(); an unreadable checkpoint or another image size: an error.
Status ebm_row(const std::string& ckpt, const RunData& d, const LikelihoodOptions& o, Classifier& judge, int ns, Rng& rng,
               LikelihoodRow* r);

// What build_likelihood_table computes on.
struct LikelihoodOptions {
  int iw = 5000;          // k of the VAE's IWAE
  int iw_images = 10000;  // test images [0, iw_images) for the IWAE (all: 10,000); the others use all
  int samples = 10000;    // samples per model for entropy and CAS
  int judge_epochs = 10;  // the judge's training epochs (bench-quality's classifier protocol)
  bool verbose = true;    // one line per figure on stdout as it is computed
  // The energy-based rows: checkpoints of `dgm train rbm|dbn|dbm` on the same --data (any may be
  // absent: an empty list makes no row), AIS with ais_betas x ais_runs, samples after `gibbs` steps.
  std::vector<std::string> ebm;
  int ais_betas = 1000, ais_runs = 100, gibbs = 1000;
  int mf_iters = 30;  // the DBM's mean-field sweeps per test image
};

// The whole table from a VAE and a MADE checkpoint, both trained with --binarize on the same
// data (else an error): the binarized training images as the reference row, the VAE's -ELBO
// and -IWAE, MADE's exact NLL, one row per checkpoint of o.ebm (AIS), and the Theis et al. row with p_best = MADE (it must be the best
// exact likelihood of the table; the note says where the VAE's bound stands).
Status build_likelihood_table(const std::string& vae_ckpt, const std::string& made_ckpt, const LikelihoodOptions& o,
                              LikelihoodTable* t);

// The table as aligned text (console, docs) and as an HTML table (the page of `make run`).
std::string likelihood_table_text(const LikelihoodTable& t);
std::string likelihood_table_html(const LikelihoodTable& t);

}  // namespace dgm
