// run_charrnn.h - the CharRNN's section of `dgm run`'s page (run_charrnn.cpp).
#pragma once
#include <string>

#include "dgm/run/run_page.h"

namespace dgm {

// Trains the CharRNN's defaults for `steps` steps in OUT/charrnn, writes samples at T = 0.5 and
// 1.0 there, and returns the page section (held-out bits per character, the samples); a failure
// is counted in *failures and shown in the section.
PageSection charrnn_section(const std::string& out, int steps, int* failures);

}  // namespace dgm
