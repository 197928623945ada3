// Line charts as inline SVG: axes with ticks and labels, lines that break
// where a value is not finite, and a y-axis that one diverging line cannot
// flatten.
#ifndef ACTC_RUNTIME_TOOL_REPORT_SVG_H
#define ACTC_RUNTIME_TOOL_REPORT_SVG_H

#include "llvm/ADT/ArrayRef.h"

#include <string>
#include <vector>

namespace act::runtime {

/// Ticks at multiples of 1, 2 or 5 times a power of ten, about `count` of
/// them, from the last multiple at or below `lo` to the first at or above
/// `hi`. A degenerate or non-finite range is widened first, so the result
/// always has at least two finite, increasing ticks.
std::vector<double> niceTicks(double lo, double hi, int count);

/// One line of a chart.
struct LineSeries {
  std::vector<double> xs, ys; // Same length; a non-finite value breaks the line.
  std::string name;           // For tooltips; escaped when written.
  std::string color;          // A CSS colour, or empty to style by cssClass.
  std::string cssClass;       // Extra class on the line, e.g. "deriv".
  int group = -1;             // data-series value for hover focus; -1: none.
  bool dashed = false;
  bool faint = false;   // Thinner and translucent: a secondary line.
  bool markers = false; // A dot with a tooltip at each finite point.
};

enum class TickFormat { Number, Percent };

/// How a chart is drawn. Sizes are SVG user units (the chart scales to its
/// container's width).
struct ChartLayout {
  std::string id;          // Unique in the page: it names the clip path.
  std::string description; // The chart's accessible name.
  std::string xLabel, yLabel; // Axis titles; empty: none.
  int width = 640, height = 360;
  int xTickCount = 10, yTickCount = 6;
  TickFormat yFormat = TickFormat::Number;
  bool integerX = false;  // x counts something (epochs): integer ticks only.
  bool capOutliers = false; // See kOutlierFactor in Svg.cpp.
  bool zeroLines = false; // Emphasise x = 0 and y = 0 (function plots).
  bool compact = false;   // Small multiples: tighter margins, smaller text.
};

/// The `<svg>` element for `series` drawn with `layout`. Every number written
/// is finite, whatever the data.
std::string renderLineChart(const ChartLayout &layout,
                            llvm::ArrayRef<LineSeries> series);

} // namespace act::runtime

#endif // ACTC_RUNTIME_TOOL_REPORT_SVG_H
