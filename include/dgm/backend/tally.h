// tally.h - where a step's time goes, for `dgm bench` only: wall seconds and floating-point
// operations of the products (gemm) and of the convolution kernels (conv.h), summed over the calls
// made while the tally is on. Off by default: then each call costs one test of a flag.
//   gemm       every dgm::gemm call (the convolutions' products included)
//   conv       the convolution kernels whole: im2col / col2im, the layout copies and their product
//   conv_gemm  the products inside those convolution kernels alone
// The flops are 2 M N K per product; a convolution counts its product's. Not thread-safe: the
// callers (the main thread) run one kernel at a time.
#pragma once

namespace dgm {

enum class TallyKind { kGemm, kConv, kConvGemm };
constexpr int kTallyKinds = 3;

struct Tally {
  double seconds = 0, flops = 0;
  long long calls = 0;
};

void tally_enable(bool on);  // also zeroes the totals
bool tally_enabled();
Tally tally_read(TallyKind k);

// Times one call from construction to destruction when the tally is on.
class TallyScope {
 public:
  TallyScope(TallyKind k, double flops);
  ~TallyScope();
  TallyScope(const TallyScope&) = delete;
  TallyScope& operator=(const TallyScope&) = delete;

 private:
  TallyKind kind_;
  double flops_;
  long long start_ns_;  // < 0: the tally was off
};

}  // namespace dgm
