// gan_optimum.cpp - theory checks (placeholder: filled in by the theory work of issue 3).
#include "dgm/theory/report.h"

namespace dgm {

void add_gan_optimum_checks(std::vector<TheoryCheck>& out) { (void)out; }

}  // namespace dgm
