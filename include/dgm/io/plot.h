// plot.h - what a person looks at for 1-D and 2-D experiments, and the rows a script reads.
//
// SVG (src/io/plot.cpp), opened by any browser and embedded by out/index.html:
//   scatter_svg    2-D points, data and model samples overlaid in two colours, with axes, nice
//                  ticks, a legend with counts and a title: does the model cover every mode?
//   histogram_svg  1-D densities of data and samples on shared bins: each bar is a density,
//                  count / (n * bin width), so the two sets compare whatever their sizes.
//   curves_svg     training curves: one panel per series (each loss term of metrics.csv) over a
//                  shared step axis, each on its own y scale, in the colours of series_colour(i),
//                  with a legend; read_metrics_series reads them from a run's metrics.csv.
// Rows (src/io/rows.cpp), chosen by extension in write_rows:
//   .csv  one row per line, values separated by ',', printed with 9 significant digits (enough
//         to read back the exact float32); no header line, but an optional first comment line
//         "# ..." saying what the values are (np.loadtxt(f, delimiter=',') skips it;
//         pandas.read_csv(f, comment='#', header=None)).
//   .npy  NumPy format version 1.0: magic "\x93NUMPY", 1, 0, a little-endian u16 header length,
//         the header dict {'descr': '<f4', 'fortran_order': False, 'shape': (n, d), } padded with
//         spaces and a final '\n' so the data starts at a multiple of 64 bytes (exactly as
//         numpy.save writes it), then the float32 values, little-endian, C order: np.load(f).
// Non-finite values: plots skip them (and say how many in the legend); rows keep them
// ("nan", "inf" in CSV, the IEEE bits in .npy).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/io/status.h"

namespace dgm {

struct PlotOptions {
  std::string title;
  std::string data_label = "data";
  std::string sample_label = "samples";
  int width = 480, height = 480;  // pixels of the whole SVG
  // Axis ranges. With auto_range, the range covers the finite points of both sets plus 5%.
  // Otherwise points outside [xmin, xmax] x [ymin, ymax] are not drawn (the histogram uses x only).
  bool auto_range = true;
  float xmin = 0.f, xmax = 1.f, ymin = 0.f, ymax = 1.f;
  int bins = 40;  // histogram bins over [xmin, xmax]
};

// data: (n_data, 2), samples: (n_samples, 2); either count may be 0.
std::string scatter_svg(const float* data, int n_data, const float* samples, int n_samples,
                        const PlotOptions& options);

// data: (n_data), samples: (n_samples).
std::string histogram_svg(const float* data, int n_data, const float* samples, int n_samples,
                          const PlotOptions& options);

// One curve: y[i] at x[i] (the step).
struct Series {
  std::string label;
  std::vector<double> x, y;
};

// The colour curves_svg draws series i in (a 10-colour palette, repeated), so that a caption can
// name it. The scatter plots and histograms draw data in series_colour(0) (blue) and samples in
// series_colour(1) (orange).
const char* series_colour(int i);
// The colour's English name ("blue", "orange", ...), for captions.
const char* series_colour_name(int i);

// Panels of options.height pixels each (the SVG is as tall as the panels need), options.width
// wide. Each panel draws the logged values as a light line (the mean of each bin of steps when
// there are more than 600) and their running mean over about a 25th of the steps as a dark line.
// Non-finite values are skipped. A series with no finite value gets an empty panel that says so.
std::string curves_svg(const std::vector<Series>& series, const PlotOptions& options);

// metrics.csv as train() writes it (header "step,epoch,<term>...,seconds", one row per logged
// step): one Series per term column, x = step; step, epoch and seconds are not terms. An error
// names the file and the line that does not parse.
Status read_metrics_series(const std::string& path, std::vector<Series>* out);

// & < > " ' as XML entities, for titles and labels in SVG and HTML.
std::string xml_escape(const std::string& text);

// rows: (n, d) as CSV text, one row per line; a non-empty comment becomes a first line
// "# <comment>" (one line: newlines in it are replaced by spaces).
std::string rows_csv(const float* rows, int n, int d, const std::string& comment = "");

// A .npy file (format 1.0, '<f4', C order) for `shape` (the product of shape values at data).
// shape {} is a 0-d array; shape {n} a 1-D array.
std::vector<std::uint8_t> npy_bytes(const float* data, const std::vector<std::int64_t>& shape);

// Writes rows (n, d) as .csv or .npy (shape (n, d)) by the extension, atomically. comment goes
// into the .csv's first line (a .npy header has no portable place for free text).
Status write_rows(const std::string& path, const float* rows, int n, int d, const std::string& comment = "");

}  // namespace dgm
