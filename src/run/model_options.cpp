// model_options.cpp - a run's Config as the typed ModelOptions a model is built from
// (include/dgm/models/options.h): every string choice parsed here, once, from one table each.
// validate() (config.cpp) calls it, so a bad name is reported with the choices this table has.
#include "dgm/run/config.h"

#include "dgm/core/check.h"
#include "dgm/core/names.h"

namespace dgm {
namespace {

template <class E>
struct Choice {
  const char* name;
  E value;
};

// v's entry of table into *out, or "--flag: <what>'v' (a, b or c)".
template <class E, int N>
Status pick(const char* flag, const char* what, const std::string& v, const Choice<E> (&table)[N], E* out) {
  const char* names[N];
  for (int i = 0; i < N; ++i) {
    if (v == table[i].name) {
      *out = table[i].value;
      return Status::Ok();
    }
    names[i] = table[i].name;
  }
  return Status::Error("--%s: %s'%s' (%s)", flag, what, v.c_str(), name_list(names, N).c_str());
}

constexpr Choice<Arch> kArchs[] = {{"mlp", Arch::Mlp}, {"conv", Arch::Conv}};
constexpr Choice<Likelihood> kDecoders[] = {{"bernoulli", Likelihood::Bernoulli}, {"gaussian", Likelihood::Gaussian}};
constexpr Choice<KlEstimator> kEstimators[] = {{"A", KlEstimator::MonteCarlo}, {"B", KlEstimator::ClosedForm}};
constexpr Choice<Corruption> kCorruptions[] = {{"gaussian", Corruption::Gaussian}, {"mask", Corruption::Mask}};
constexpr Choice<GenLoss> kGenLosses[] = {{"ns", GenLoss::NonSaturating}, {"minimax", GenLoss::Minimax}};
constexpr Choice<AaeEncoder> kEncoders[] = {
    {"det", AaeEncoder::kDeterministic}, {"gauss", AaeEncoder::kGaussian}, {"universal", AaeEncoder::kUniversal}};

}  // namespace

Device config_device(const Config& c) { return c.device == "cuda" ? Device::CUDA : Device::CPU; }

Status model_options(const Config& c, ModelOptions* out) {
  ModelOptions o;
  Status s;
  o.model = c.model;
  o.seed = c.seed;
  o.latent = c.latent;
  o.hidden = c.hidden;
  if (!parse_optim_kind(c.optim, &o.optim.kind))
    return Status::Error("--optim: unknown optimizer '%s' (%s)", c.optim.c_str(), optim_kind_names());
  if (!parse_act(c.act, &o.act) || !hidden_act(o.act))
    return Status::Error("--act: unknown activation '%s' (%s)", c.act.c_str(), hidden_act_names());
  if (!(s = pick("arch", "", c.arch, kArchs, &o.arch))) return s;
  o.optim.beta1 = c.beta1;
  o.optim.momentum = c.momentum;
  o.lr = c.lr;
  o.lr_g = c.lr_g;
  o.lr_d = c.lr_d;
  o.device = config_device(c);

  if (!(s = pick("gen-loss", "", c.gen_loss, kGenLosses, &o.gen_loss))) return s;
  if (!(s = pick("decoder", "", c.decoder, kDecoders, &o.decoder))) return s;
  if (!(s = pick("estimator", "", c.estimator, kEstimators, &o.estimator))) return s;
  if (!(s = pick("corrupt", "", c.corrupt, kCorruptions, &o.corrupt))) return s;
  o.samples = c.samples;
  o.iw = c.iw;
  o.noise = c.noise;

  o.k = c.k;
  o.n_critic = c.n_critic;
  o.clip = c.clip;
  // [Utkin] Возвращаясь к порождающим моделям (практика): "на входе G одиночное случайное число
  // из равномерного распределения шума: z ~ uniform(0, 1)": the gauss1d protocol's noise.
  o.noise_kind = c.data == "gauss1d" ? Noise::Uniform : Noise::Normal;
  o.noise_lo = c.noise_lo;
  o.noise_hi = c.noise_hi;

  if (!(s = pick("encoder", "", c.encoder, kEncoders, &o.encoder))) return s;
  if (!(s = parse_prior(c.prior, &o.prior))) return s;
  *out = o;
  return Status::Ok();
}

ModelOptions model_options(const Config& c) {
  ModelOptions o;
  const Status s = model_options(c, &o);
  DGM_CHECK(s.ok, "model_options: %s (validate() the Config first)", s.message.c_str());
  return o;
}

}  // namespace dgm
