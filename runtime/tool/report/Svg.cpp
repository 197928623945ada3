// Line charts as inline SVG for the report (see Svg.h).
#include "runtime/tool/report/Svg.h"

#include "runtime/tool/report/Html.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace act::runtime;

namespace {

/// A loss axis stops at this multiple of the median value, so one run whose
/// loss explodes leaves the others readable; its line leaves the plot at the
/// top edge. Fashion-MNIST losses of working runs lie within 3× of each other.
constexpr double kOutlierFactor = 8;

/// Coordinates are clamped to this many units around the plot: SVG numbers
/// are single precision, and a far-off point only sets a line's direction.
constexpr double kCoordinateLimit = 1e5;

/// The clip rectangle extends this far beyond the plot so that markers on
/// its edges are drawn whole.
constexpr double kClipSlack = 5;

/// More ticks than this means a caller bug or an absurd range.
constexpr int kMaxTicks = 64;

struct Margins {
  double left, right, top, bottom;
};

/// One axis: its visible range and its ticks.
struct Axis {
  double lo, hi;
  std::vector<double> ticks;
  int decimals; // Decimals that tell the ticks apart.
};

double niceStep(double span, int count) {
  double raw = span / std::max(count - 1, 1);
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double normalized = raw / magnitude;
  double nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
  return nice * magnitude;
}

/// Widens [lo, hi] when it is empty or not finite, so it can carry ticks.
void widen(double &lo, double &hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo > std::max(std::abs(lo), std::abs(hi)) * 1e-9)
    return;
  double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
  lo -= pad;
  hi += pad;
}

int decimalsFor(double step) {
  return std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
}

std::vector<double> ticksBetween(double first, double last, double step) {
  std::vector<double> ticks;
  long count = std::lround((last - first) / step);
  for (long i = 0; i <= count && i < kMaxTicks; ++i) {
    double tick = first + static_cast<double>(i) * step;
    ticks.push_back(std::abs(tick) < step * 1e-9 ? 0.0 : tick); // No "-0".
  }
  return ticks;
}

/// The finite values of every series along one coordinate.
std::vector<double> finiteValues(llvm::ArrayRef<LineSeries> series, bool ys) {
  std::vector<double> values;
  for (const LineSeries &line : series)
    for (double value : ys ? line.ys : line.xs)
      if (std::isfinite(value))
        values.push_back(value);
  return values;
}

/// The largest value at most kOutlierFactor times the median, or the
/// largest value when none is an outlier (or the median is not positive).
double cappedMaximum(std::vector<double> values, bool &capped) {
  std::sort(values.begin(), values.end());
  double median = values[values.size() / 2];
  capped = false;
  if (median <= 0 || values.back() <= median * kOutlierFactor)
    return values.back();
  capped = true;
  return *(std::upper_bound(values.begin(), values.end(),
                            median * kOutlierFactor) - 1);
}

/// The y-axis: ticks that enclose every (non-outlier) value.
Axis makeYAxis(const ChartLayout &layout, llvm::ArrayRef<LineSeries> series,
               bool &capped) {
  std::vector<double> values = finiteValues(series, /*ys=*/true);
  capped = false;
  double lo = 0, hi = 1;
  if (!values.empty()) {
    lo = *std::min_element(values.begin(), values.end());
    hi = layout.capOutliers ? cappedMaximum(values, capped)
                            : *std::max_element(values.begin(), values.end());
  }
  Axis axis;
  axis.ticks = niceTicks(lo, hi, layout.yTickCount);
  axis.lo = axis.ticks.front();
  axis.hi = axis.ticks.back();
  double step = axis.ticks[1] - axis.ticks[0];
  axis.decimals = decimalsFor(layout.yFormat == TickFormat::Percent ? step * 100
                                                                    : step);
  return axis;
}

/// The x-axis spans the data exactly; its ticks are the nice values inside.
Axis makeXAxis(const ChartLayout &layout, llvm::ArrayRef<LineSeries> series) {
  std::vector<double> values = finiteValues(series, /*ys=*/false);
  Axis axis;
  axis.lo = 0;
  axis.hi = 1;
  if (!values.empty()) {
    axis.lo = *std::min_element(values.begin(), values.end());
    axis.hi = *std::max_element(values.begin(), values.end());
  }
  if (layout.integerX && axis.hi - axis.lo < 1) { // One epoch: centre it.
    axis.lo -= 0.5;
    axis.hi += 0.5;
  }
  widen(axis.lo, axis.hi);
  double step = niceStep(axis.hi - axis.lo, layout.xTickCount);
  if (layout.integerX)
    step = std::max(1.0, std::round(step));
  double first = std::ceil(axis.lo / step - 1e-9) * step;
  double last = std::floor(axis.hi / step + 1e-9) * step;
  axis.ticks = ticksBetween(first, last, step);
  axis.decimals = decimalsFor(step);
  return axis;
}

/// Beyond this magnitude tick labels switch to exponent notation ("5e6"),
/// which fits the margin.
constexpr double kLargestPlainTick = 1e5;

std::string formatTick(double value, int decimals, TickFormat format) {
  if (format == TickFormat::Percent)
    return formatFixed(value * 100, decimals) + "%";
  if (std::abs(value) < kLargestPlainTick)
    return formatFixed(value, decimals);
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.3g", value);
  size_t e = text.find("e+");
  if (e != std::string::npos) { // "5e+06" -> "5e6".
    size_t digits = text.find_first_not_of('0', e + 2);
    text = text.substr(0, e + 1) + text.substr(digits);
  }
  return text;
}

/// Maps data to SVG coordinates inside the plot rectangle.
class Plot {
public:
  Plot(const ChartLayout &layout, const Margins &margins, Axis x, Axis y)
      : x(std::move(x)), y(std::move(y)), left(margins.left),
        top(margins.top), right(layout.width - margins.right),
        bottom(layout.height - margins.bottom) {}

  double sx(double value) const {
    return clamp(left + (value - x.lo) / (x.hi - x.lo) * (right - left));
  }
  double sy(double value) const {
    return clamp(bottom - (value - y.lo) / (y.hi - y.lo) * (bottom - top));
  }

  Axis x, y;
  double left, top, right, bottom;

private:
  static double clamp(double coordinate) {
    return std::clamp(coordinate, -kCoordinateLimit, kCoordinateLimit);
  }
};

Margins marginsFor(const ChartLayout &layout) {
  if (layout.compact)
    return {layout.yLabel.empty() ? 34.0 : 48.0, 8, 8,
            layout.xLabel.empty() ? 22.0 : 36.0};
  return {layout.yLabel.empty() ? 48.0 : 70.0, 18, 14,
          layout.xLabel.empty() ? 30.0 : 52.0};
}

/// SVG path data for a line, lifting the pen over non-finite points. A
/// point alone between gaps draws nothing (its marker, if any, shows it).
std::string pathData(const Plot &plot, const LineSeries &line) {
  std::string data;
  llvm::raw_string_ostream os(data);
  bool penDown = false;
  size_t count = std::min(line.xs.size(), line.ys.size());
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(line.xs[i]) || !std::isfinite(line.ys[i])) {
      penDown = false;
      continue;
    }
    os << (penDown ? "L" : "M") << llvm::format("%.1f,%.1f", plot.sx(line.xs[i]),
                                                plot.sy(line.ys[i]));
    penDown = true;
  }
  return os.str();
}

void writeGridAndTicks(llvm::raw_ostream &os, const ChartLayout &layout,
                       const Plot &plot) {
  os << "<g class=\"grid\">";
  for (double tick : plot.y.ticks)
    os << llvm::format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                       plot.left, plot.right, plot.sy(tick), plot.sy(tick));
  os << "</g>";
  if (layout.zeroLines) {
    os << "<g class=\"zero\">";
    if (plot.y.lo < 0 && plot.y.hi > 0)
      os << llvm::format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                         plot.left, plot.right, plot.sy(0), plot.sy(0));
    if (plot.x.lo < 0 && plot.x.hi > 0)
      os << llvm::format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                         plot.sx(0), plot.sx(0), plot.top, plot.bottom);
    os << "</g>";
  }
  os << llvm::format("<path class=\"axis\" d=\"M%.1f,%.1fV%.1fH%.1f\"/>",
                     plot.left, plot.top, plot.bottom, plot.right);

  double tickLength = layout.compact ? 3 : 5;
  os << "<g class=\"ticks\">";
  for (double tick : plot.y.ticks)
    os << llvm::format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                       plot.left - tickLength, plot.left, plot.sy(tick),
                       plot.sy(tick))
       << llvm::format("<text x=\"%.1f\" y=\"%.1f\" dy=\".32em\" "
                       "text-anchor=\"end\">",
                       plot.left - tickLength - 3, plot.sy(tick))
       << formatTick(tick, plot.y.decimals, layout.yFormat) << "</text>";
  for (double tick : plot.x.ticks)
    os << llvm::format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                       plot.sx(tick), plot.sx(tick), plot.bottom,
                       plot.bottom + tickLength)
       << llvm::format("<text x=\"%.1f\" y=\"%.1f\" dy=\".71em\" "
                       "text-anchor=\"middle\">",
                       plot.sx(tick), plot.bottom + tickLength + 3)
       << formatTick(tick, plot.x.decimals, TickFormat::Number) << "</text>";
  os << "</g>";
}

void writeAxisLabels(llvm::raw_ostream &os, const ChartLayout &layout,
                     const Plot &plot) {
  if (!layout.xLabel.empty())
    os << llvm::format("<text class=\"label\" x=\"%.1f\" y=\"%.1f\" "
                       "text-anchor=\"middle\">",
                       (plot.left + plot.right) / 2, layout.height - 8.0)
       << escapeHtml(layout.xLabel) << "</text>";
  if (!layout.yLabel.empty())
    os << llvm::format("<text class=\"label\" transform=\"translate(%.1f %.1f) "
                       "rotate(-90)\" text-anchor=\"middle\">",
                       layout.compact ? 11.0 : 16.0,
                       (plot.top + plot.bottom) / 2)
       << escapeHtml(layout.yLabel) << "</text>";
}

/// "gelu test, epoch 3: 88.12%" for a marker's tooltip.
std::string markerTooltip(const ChartLayout &layout, const Plot &plot,
                          const LineSeries &line, size_t i) {
  std::string xText = layout.integerX ? formatFixed(line.xs[i], 0)
                                      : formatFixed(line.xs[i], 2);
  int yDecimals = layout.yFormat == TickFormat::Percent ? 2 : 4;
  return escapeHtml(line.name + ", " + layout.xLabel + " " + xText + ": " +
                    formatTick(line.ys[i], yDecimals, layout.yFormat));
}

void writeSeries(llvm::raw_ostream &os, const ChartLayout &layout,
                 const Plot &plot, const LineSeries &line) {
  os << "<g class=\"series\"";
  if (line.group >= 0)
    os << " data-series=\"" << line.group << "\"";
  os << "><title>" << escapeHtml(line.name) << "</title><path d=\""
     << pathData(plot, line) << "\" class=\"line";
  if (!line.cssClass.empty())
    os << " " << escapeHtml(line.cssClass);
  if (line.faint)
    os << " faint";
  os << "\"";
  if (!line.color.empty())
    os << " stroke=\"" << escapeHtml(line.color) << "\"";
  if (line.dashed)
    os << " stroke-dasharray=\"" << (layout.compact ? "4 3" : "6 4") << "\"";
  os << "/>";
  if (line.markers) {
    size_t count = std::min(line.xs.size(), line.ys.size());
    for (size_t i = 0; i < count; ++i) {
      if (!std::isfinite(line.xs[i]) || !std::isfinite(line.ys[i]))
        continue;
      os << llvm::format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"",
                         plot.sx(line.xs[i]), plot.sy(line.ys[i]),
                         line.faint ? 2.5 : 3.5);
      if (!line.color.empty())
        os << " fill=\"" << escapeHtml(line.color) << "\"";
      os << "><title>" << markerTooltip(layout, plot, line, i)
         << "</title></circle>";
    }
  }
  os << "</g>";
}

} // namespace

std::vector<double> act::runtime::niceTicks(double lo, double hi, int count) {
  widen(lo, hi);
  double step = niceStep(hi - lo, count);
  double first = std::floor(lo / step + 1e-9) * step;
  double last = std::ceil(hi / step - 1e-9) * step;
  return ticksBetween(first, last, step);
}

std::string act::runtime::renderLineChart(const ChartLayout &layout,
                                          llvm::ArrayRef<LineSeries> series) {
  bool capped = false;
  Axis yAxis = makeYAxis(layout, series, capped);
  Plot plot(layout, marginsFor(layout), makeXAxis(layout, series),
            std::move(yAxis));

  std::string svg;
  llvm::raw_string_ostream os(svg);
  os << "<svg class=\"chart" << (layout.compact ? " compact" : "")
     << "\" viewBox=\"0 0 " << layout.width << " " << layout.height
     << "\" role=\"img\" aria-label=\"" << escapeHtml(layout.description)
     << "\" xmlns=\"http://www.w3.org/2000/svg\">";
  std::string clipId = escapeHtml(layout.id) + "-clip";
  os << "<defs><clipPath id=\"" << clipId << "\">"
     << llvm::format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                     "height=\"%.1f\"/>",
                     plot.left - kClipSlack, plot.top - kClipSlack,
                     plot.right - plot.left + 2 * kClipSlack,
                     plot.bottom - plot.top + 2 * kClipSlack)
     << "</clipPath></defs>";
  writeGridAndTicks(os, layout, plot);
  writeAxisLabels(os, layout, plot);
  os << "<g clip-path=\"url(#" << clipId << ")\">";
  for (const LineSeries &line : series)
    writeSeries(os, layout, plot, line);
  os << "</g>";
  if (capped)
    os << llvm::format("<text class=\"note\" x=\"%.1f\" y=\"%.1f\" dy=\".71em\" "
                       "text-anchor=\"end\">",
                       plot.right - 4, plot.top + 4)
       << "&#8593; larger values are above the chart</text>";
  os << "</svg>";
  return os.str();
}
