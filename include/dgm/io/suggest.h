// suggest.h - "did you mean ...?" for a mistyped name (a flag, a verb, a model, a data set).
//
// The nearest candidate by edit distance (insertions, deletions, substitutions and swaps of two
// neighbouring letters each count 1: "--epoch" -> "--epochs", "--epcohs" -> "--epochs"), or a
// candidate the word is the start of ("--lat" -> "--latent"). One function serves every parser
// (the one flag parser, flags.h, that every verb's flags go through; the verb and the model names), so
// the advice reads the same everywhere.
#pragma once
#include <string>
#include <vector>

namespace dgm {

// Edit distance between a and b (optimal string alignment: a swap of neighbours counts 1).
int edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to word, or "" when none is near enough to be a likely typo: distance at
// most max(1, |word| / 3) (at most 3), or word is the start of exactly one candidate.
std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates);

// "; did you mean <prefix><nearest>?" or "" (for appending to an error message).
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates,
                         const std::string& prefix = "");

}  // namespace dgm
