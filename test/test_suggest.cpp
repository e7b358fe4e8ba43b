// test_suggest.cpp - "did you mean ...?": edit distances worked by hand, and the advice the flag
// parsers give for common typos.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dgm/io/suggest.h"

using namespace dgm;

TEST_CASE("suggest: edit distance counts insertions, deletions, substitutions and neighbour swaps") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("epoch", "epochs") == 1);   // one insertion
  CHECK(edit_distance("epochss", "epochs") == 1); // one deletion
  CHECK(edit_distance("batcj", "batch") == 1);    // one substitution
  CHECK(edit_distance("epcohs", "epochs") == 1);  // one swap of neighbours (Levenshtein: 2)
  CHECK(edit_distance("ephocs", "epochs") == 2);  // h moved two places: two swaps
  CHECK(edit_distance("kitten", "sitting") == 3); // the textbook pair
  CHECK(edit_distance("ring", "grid") == 3);      // insert g in front, n -> d, delete the last g
  CHECK(edit_distance("abc", "abc") == 0);
}

TEST_CASE("suggest: the nearest name, or none when nothing is near") {
  const std::vector<std::string> flags = {"epochs", "iters", "batch", "latent", "lr", "lr-g", "lr-d", "seed"};
  CHECK(nearest_name("epoch", flags) == "epochs");
  CHECK(nearest_name("ephocs", flags) == "epochs");
  CHECK(nearest_name("bacth", flags) == "batch");
  CHECK(nearest_name("lat", flags) == "latent");  // the start of exactly one name
  CHECK(nearest_name("l", flags) == "lr");        // distance 1 (insertion) to "lr"
  CHECK(nearest_name("temperature", flags) == "");
  CHECK(nearest_name("", flags) == "");
  CHECK(nearest_name("xyz", {}) == "");
  CHECK(did_you_mean("epoch", flags, "--") == "; did you mean --epochs?");
  CHECK(did_you_mean("temperature", flags, "--") == "");
  CHECK(did_you_mean("ringg", {"ring", "grid", "gauss1d"}) == "; did you mean ring?");
}
