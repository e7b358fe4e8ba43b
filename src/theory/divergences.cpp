// divergences.cpp - theory checks (placeholder: filled in by the theory work of issue 3).
#include "dgm/theory/report.h"

namespace dgm {

void add_divergence_checks(std::vector<TheoryCheck>& out) { (void)out; }

}  // namespace dgm
