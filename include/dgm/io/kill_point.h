// kill_point.h - TEST-ONLY: stop the process at a named point, to test that a kill loses nothing.
//
// DGM_TEST_KILL_AT=<point>:<n>[:<signal>][,<point>:<n>[:<signal>]...] makes the process raise
// <signal> on itself the n-th time (1-based, counted in this process) it passes <point>.
// <signal> is KILL (the default: what `kill -9` does), INT (Ctrl-C) or TERM. The points:
//   step                   after a training step and its metrics.csv row (train.cpp)
//   write:<file name>      in the middle of an atomic write (fileio.cpp): half of the bytes are
//                          in "<path>.tmp", the rename has not happened; e.g.
//                          write:model.safetensors (the checkpoint), write:metrics.csv (the cut
//                          of metrics.csv on --resume)
// test/cli_smoke.sh uses it to kill `dgm train` at exact moments and check that --resume ends
// with the same checkpoint and metrics as a run never stopped. Without the variable (every normal
// run) a point costs one comparison. Not part of the core: the core never stops the process.
#pragma once

namespace dgm {

void kill_point(const char* point);

}  // namespace dgm
