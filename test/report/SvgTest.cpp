// The report's SVG charts: ticks, lines broken at NaN, outliers, escaping.
#include "runtime/tool/report/Html.h"
#include "runtime/tool/report/Svg.h"

#include "llvm/ADT/StringRef.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>

using namespace act::runtime;

namespace {

/// Every number-valued attribute's value in `svg`, e.g. all d="..." values.
std::vector<std::string> attributeValues(const std::string &svg,
                                         const std::string &name) {
  std::vector<std::string> values;
  std::regex pattern(" " + name + "=\"([^\"]*)\"");
  for (std::sregex_iterator it(svg.begin(), svg.end(), pattern), end;
       it != end; ++it)
    values.push_back((*it)[1]);
  return values;
}

/// Fails if a coordinate attribute holds anything but plain decimal
/// numbers and path commands (no nan, inf or exponent).
void expectOnlyPlainNumbers(const std::string &svg) {
  std::regex plain("^[-0-9., MLVH]*$");
  for (const char *name : {"d", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy",
                           "r", "width", "height"})
    for (const std::string &value : attributeValues(svg, name))
      EXPECT_TRUE(std::regex_match(value, plain))
          << name << "=\"" << value << "\"";
}

size_t count(llvm::StringRef text, llvm::StringRef needle) {
  return text.count(needle);
}

LineSeries line(std::vector<double> xs, std::vector<double> ys) {
  LineSeries series;
  series.xs = std::move(xs);
  series.ys = std::move(ys);
  series.name = "s";
  series.color = "#4e79a7";
  return series;
}

ChartLayout layout() {
  ChartLayout result;
  result.id = "c";
  result.xLabel = "epoch";
  result.yLabel = "loss";
  result.integerX = true;
  return result;
}

TEST(NiceTicks, StepsOfOneTwoOrFiveEncloseTheRange) {
  std::vector<double> ticks = niceTicks(0.78, 0.89, 6);
  ASSERT_EQ(ticks.size(), 4u);
  EXPECT_NEAR(ticks[0], 0.75, 1e-12);
  EXPECT_NEAR(ticks[1], 0.80, 1e-12);
  EXPECT_NEAR(ticks[2], 0.85, 1e-12);
  EXPECT_NEAR(ticks[3], 0.90, 1e-12);
}

TEST(NiceTicks, CrossingZeroHasAnExactZero) {
  std::vector<double> ticks = niceTicks(-0.3, 1.0, 6);
  EXPECT_EQ(ticks, (std::vector<double>{-0.5, 0, 0.5, 1}));
  EXPECT_FALSE(std::signbit(ticks[1])); // Would print as "-0".
}

TEST(NiceTicks, EmptyOrNonFiniteRangesAreWidened) {
  for (auto [lo, hi] : {std::pair<double, double>{2, 2}, {0, 0}, {NAN, 1},
                        {-INFINITY, INFINITY}}) {
    std::vector<double> ticks = niceTicks(lo, hi, 5);
    ASSERT_GE(ticks.size(), 2u) << lo << " " << hi;
    for (size_t i = 0; i < ticks.size(); ++i) {
      EXPECT_TRUE(std::isfinite(ticks[i]));
      if (i > 0) {
        EXPECT_LT(ticks[i - 1], ticks[i]);
      }
    }
    if (std::isfinite(lo) && std::isfinite(hi)) {
      EXPECT_LE(ticks.front(), lo);
      EXPECT_GE(ticks.back(), hi);
    }
  }
}

TEST(LineChart, NaNLiftsThePen) {
  std::string svg =
      renderLineChart(layout(), {line({1, 2, 3, 4, 5}, {1, 0.8, NAN, 0.5, 0.4})});
  std::vector<std::string> paths = attributeValues(svg, "d");
  // The axis, then the line: two runs of points, each starting with a move.
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(count(paths[1], "M"), 2u) << paths[1];
  EXPECT_EQ(count(paths[1], "L"), 2u) << paths[1];
  expectOnlyPlainNumbers(svg);
}

TEST(LineChart, AllNonFiniteStillDrawsAxes) {
  std::string svg = renderLineChart(
      layout(), {line({1, 2, 3}, {NAN, INFINITY, -INFINITY})});
  EXPECT_EQ(attributeValues(svg, "d").back(), "");
  EXPECT_GE(count(svg, "<text"), 4u); // Tick labels and axis titles.
  expectOnlyPlainNumbers(svg);
}

TEST(LineChart, AnExplodingLossDoesNotFlattenTheOthers) {
  ChartLayout capped = layout();
  capped.capOutliers = true;
  std::string svg = renderLineChart(
      capped, {line({1, 2, 3}, {0.6, 0.45, 0.4}), line({1, 2, 3}, {0.6, 1e30, 3e38})});
  EXPECT_NE(svg.find("larger values are above the chart"), std::string::npos);
  // The y ticks stop at the working run's scale, not at 1e30.
  EXPECT_NE(svg.find("text-anchor=\"end\">0.60</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("text-anchor=\"end\">0.65</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("e+"), std::string::npos);
  expectOnlyPlainNumbers(svg);

  std::string uncapped = renderLineChart(layout(), {line({1, 2, 3}, {0.6, 0.45, 0.4})});
  EXPECT_EQ(uncapped.find("larger values"), std::string::npos);
}

TEST(LineChart, LargeTickLabelsUseExponents) {
  std::string svg = renderLineChart(layout(), {line({0, 1, 2}, {0, 4e6, 1e7})});
  EXPECT_NE(svg.find(">1e7</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">0</text>"), std::string::npos) << svg;
  expectOnlyPlainNumbers(svg);
}

TEST(LineChart, OneEpochIsCentredWithOneTick) {
  LineSeries point = line({1}, {0.8});
  point.markers = true;
  std::string svg = renderLineChart(layout(), {point});
  EXPECT_EQ(count(svg, "<circle"), 1u);
  // Midway between the plot's edges, x = 70 and x = 640 - 18.
  EXPECT_EQ(attributeValues(svg, "cx").front(), "346.0");
  EXPECT_NE(svg.find("dy=\".71em\" text-anchor=\"middle\">1</text>"),
            std::string::npos);
}

TEST(LineChart, PercentTicksAndTooltipsAreEscaped) {
  ChartLayout percent = layout();
  percent.yFormat = TickFormat::Percent;
  percent.description = "a \"quoted\" <chart>";
  LineSeries series = line({1, 2}, {0.8, 0.85});
  series.name = "<b>&";
  series.markers = true;
  std::string svg = renderLineChart(percent, {series});
  EXPECT_NE(svg.find(">85%</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("aria-label=\"a &quot;quoted&quot; &lt;chart&gt;\""),
            std::string::npos);
  EXPECT_NE(svg.find("<title>&lt;b&gt;&amp;, epoch 2: 85.00%</title>"),
            std::string::npos)
      << svg;
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
}

TEST(Html, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(escapeHtml("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(escapeHtml("gelu_tanh"), "gelu_tanh");
}

TEST(Html, NumbersReadAsPeopleWriteThem) {
  EXPECT_EQ(formatPercent(0.8812, 2), "88.12%");
  EXPECT_EQ(formatFixed(-0.0001, 2), "0.00");
  EXPECT_EQ(formatFixed(NAN, 2), "\u2014");
  EXPECT_EQ(formatPercent(INFINITY, 2), "\u221e");
  EXPECT_EQ(formatFixed(-INFINITY, 2), "\u2212\u221e");
}

} // namespace
