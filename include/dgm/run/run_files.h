// run_files.h - the files `dgm train` writes in a run folder: which are there, starting over, and
// cutting metrics.csv back to a checkpoint on --resume.
//
// A run folder may hold files of the user's beside dgm's; only the names listed in
// run_files.cpp (config.txt, metrics.csv, model.safetensors, recon.png, codes.svg,
// samples/epoch_NNN.png, samples/iter_NNNNNN.svg and their ".tmp" files) are dgm's. A new output
// of train.cpp must be added there, so that --force clears it and a second run is refused.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/io/status.h"

namespace dgm {

// dgm's outputs present in folder `out` (paths relative to it, sorted); empty if none or no folder.
std::vector<std::string> run_outputs(const std::string& out);

// Deletes run_outputs(out) and samples/ when that leaves it empty; nothing else.
Status clear_run_outputs(const std::string& out);

// The rows of metrics.csv kept on --resume.
struct MetricsCut {
  bool has_header = false;  // the file had its header line (else the next row writes one)
  std::int64_t rows_kept = 0, rows_dropped = 0;
  double seconds = 0;       // the last kept row's "seconds" (so the column continues from there)
};

// Cuts the metrics.csv at `path` back to its header and the rows with step <= `step`, stopping at
// the first row that is later, incomplete (no newline: a kill in the middle of a write) or has
// another number of fields than the header. The cut file is written to "<path>.tmp", synced and
// renamed over path: a kill during the cut leaves the old file or the cut one, whole. A missing
// file is not an error (nothing kept); one whose first line is not dgm's header is (and is left
// alone). The file is rewritten only when something is dropped.
Status cut_metrics(const std::string& path, std::int64_t step, MetricsCut* cut);

}  // namespace dgm
