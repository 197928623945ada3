// results.csv and report.html: contents, ranking, escaping, NaN, atomicity.
#include "Synthetic.h"

#include "runtime/tool/report/Report.h"
#include "support/AtomicFile.h"

#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <regex>

using namespace act::runtime;
using namespace act::runtime::testing;

namespace {

std::string errorText(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : std::string();
}

std::string writeHtml(const TemporaryDirectory &dir,
                      const std::vector<ActivationRun> &runs,
                      const RunConfig &config = makeConfig()) {
  std::string path = dir.file("report.html");
  EXPECT_EQ(errorText(writeReportHtml(path, config, runs)), "");
  return readFile(path);
}

TEST(ResultsCsv, OneRowPerRunInTheOrderGiven) {
  TemporaryDirectory dir;
  ActivationRun relu = makeRelu(2), tanh = makeTanh(2);
  relu.testAccuracy = 0.8812;
  relu.testLoss = 0.33451234;
  relu.epochs.back().trainAccuracy = 0.9;
  relu.epochs.back().trainLoss = 0.25;
  relu.secondsPerEpoch = 1.25;
  tanh.testAccuracy = 0.87;
  tanh.testLoss = 0.36;
  tanh.epochs.back().trainAccuracy = 0.88;
  tanh.epochs.back().trainLoss = 0.3;
  tanh.secondsPerEpoch = 1.5;
  std::string path = dir.file("results.csv");
  ASSERT_EQ(errorText(writeResultsCsv(path, makeConfig(), {tanh, relu})), "");
  EXPECT_EQ(readFile(path),
            "activation,epochs,test_accuracy,test_loss,train_accuracy,"
            "train_loss,seconds_per_epoch,device,threads,batch,optimizer,"
            "learning_rate,seed\n"
            "tanh,2,0.87,0.36,0.88,0.3,1.5,cpu,2,128,adam,0.001,0\n"
            "relu,2,0.8812,0.334512,0.9,0.25,1.25,cpu,2,128,adam,0.001,0\n");
}

TEST(ResultsCsv, DivergedValuesAndOddNamesStayParseable) {
  TemporaryDirectory dir;
  ActivationRun diverged = makeDiverged(3);
  diverged.name = "my \"act\", v2";
  diverged.secondsPerEpoch = INFINITY;
  ActivationRun empty;
  empty.name = "untrained";
  std::string path = dir.file("results.csv");
  ASSERT_EQ(errorText(writeResultsCsv(path, makeConfig(), {diverged, empty})),
            "");
  std::string csv = readFile(path);
  EXPECT_NE(csv.find("\n\"my \"\"act\"\", v2\",3,nan,nan,nan,nan,inf,cpu,"),
            std::string::npos)
      << csv;
  // No epochs: the last epoch's training metrics are empty fields.
  EXPECT_NE(csv.find("\nuntrained,0,0,0,,,0,cpu,"), std::string::npos) << csv;
}

TEST(RankRuns, ByAccuracyThenLossWithNaNLast) {
  std::vector<ActivationRun> runs(5);
  double accuracies[] = {0.86, NAN, 0.88, 0.86, 0.87};
  double losses[] = {0.40, 0.1, 0.33, 0.38, NAN};
  for (size_t i = 0; i < runs.size(); ++i) {
    runs[i].testAccuracy = accuracies[i];
    runs[i].testLoss = losses[i];
  }
  EXPECT_EQ(rankRuns(runs), (std::vector<size_t>{2, 4, 3, 0, 1}));
}

TEST(ReportHtml, TableIsRankedWithTheBestHighlighted) {
  TemporaryDirectory dir;
  std::string html = writeHtml(dir, {makeTanh(), makeDiverged(), makeRelu()});
  std::regex row("<tr data-series=\"(\\d)\"( class=\"best\")?>");
  std::vector<std::string> order;
  std::vector<bool> best;
  for (std::sregex_iterator it(html.begin(), html.end(), row), end; it != end;
       ++it) {
    order.push_back((*it)[1]);
    best.push_back((*it)[2].matched);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"2", "0", "1"}));
  EXPECT_EQ(best, (std::vector<bool>{true, false, false}));
  EXPECT_NE(html.find("<b>relu</b> reaches the highest test accuracy, "
                      "<b>88.50%</b>"),
            std::string::npos);
  EXPECT_NE(html.find("<li><b>Model</b>MLP 784-256-128-10</li>"),
            std::string::npos);
  EXPECT_NE(html.find("<li><b>Optimizer</b>Adam, lr 0.001</li>"),
            std::string::npos);
  // Two epoch charts and one plot per activation.
  EXPECT_EQ(llvm::StringRef(html).count("<svg class=\"chart"), 2u + 3u);
}

TEST(ReportHtml, EveryStringIsEscaped) {
  TemporaryDirectory dir;
  ActivationRun hostile = makeRelu();
  hostile.name = "<script>alert(\"x\")</script>&'";
  RunConfig config = makeConfig();
  config.device = "<img src=x onerror=alert(1)>";
  config.optimizer = "<i>sgd</i>";
  std::string html = writeHtml(dir, {hostile, makeTanh()}, config);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<i>sgd"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  // The page's only script is its own.
  EXPECT_EQ(llvm::StringRef(html).count("<script>"), 1u);
}

TEST(ReportHtml, DivergedRunsShowAsSuchAndKeepTheSvgValid) {
  TemporaryDirectory dir;
  std::string html = writeHtml(dir, {makeRelu(), makeDiverged()});
  EXPECT_NE(html.find("<span class=\"pill bad\">diverged</span>"),
            std::string::npos);
  EXPECT_NE(html.find("exp (diverged)</li>"), std::string::npos);
  // The diverged row: accuracy, distance to the best and loss are dashes.
  EXPECT_NE(html.find("<td class=\"num\">\u2014</td><td class=\"num delta\">"
                      "\u2014</td><td class=\"num\">\u2014</td>"),
            std::string::npos);
  // No coordinate anywhere is NaN, infinite or in exponent notation.
  std::regex numeric(" (d|x|y|x1|x2|y1|y2|cx|cy|r|width|height)=\"([^\"]*)\"");
  std::regex plain("^[-0-9., MLVH]*$");
  size_t checked = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), numeric), end;
       it != end; ++it, ++checked)
    EXPECT_TRUE(std::regex_match((*it)[2].str(), plain)) << (*it)[0];
  EXPECT_GT(checked, 100u);
  // The diverged run is the fastest, but not the one to highlight.
  EXPECT_EQ(html.find("<td class=\"num top\">1.10</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num top\">1.20</td>"), std::string::npos);
  // The exploding training loss (1e30) does not set the loss axis.
  EXPECT_NE(html.find("larger values are above the chart"), std::string::npos);
}

TEST(ReportHtml, RejectsNothingToReportAndRaggedCurves) {
  TemporaryDirectory dir;
  std::string path = dir.file("report.html");
  EXPECT_EQ(errorText(writeReportHtml(path, makeConfig(), {})),
            "no activation runs to report");
  ActivationRun ragged = makeRelu();
  ragged.dys.pop_back();
  EXPECT_EQ(errorText(writeReportHtml(path, makeConfig(), {ragged})),
            "activation 'relu': its curve has 201 xs, 201 ys and 200 dys");
  EXPECT_TRUE(dir.list().empty());
}

TEST(ReportHtml, AnUnsampledCurveSaysSo) {
  TemporaryDirectory dir;
  ActivationRun run = makeRelu();
  run.xs.clear();
  run.ys.clear();
  run.dys.clear();
  std::string html = writeHtml(dir, {run});
  EXPECT_NE(html.find("<p class=\"empty\">not sampled</p>"), std::string::npos);
}

TEST(AtomicWrite, ReplacesTheWholeFileAndLeavesNoTemporary) {
  TemporaryDirectory dir;
  std::string path = dir.file("results.csv");
  ASSERT_EQ(errorText(act::writeFileAtomically(path, std::string(100000, 'x'))), "");
  ASSERT_EQ(errorText(writeResultsCsv(path, makeConfig(), {makeRelu()})), "");
  std::string csv = readFile(path);
  EXPECT_EQ(csv.find('x'), std::string::npos);
  EXPECT_EQ(csv.substr(0, 11), "activation,");
  EXPECT_EQ(dir.list(), std::vector<std::string>{"results.csv"});
}

TEST(AtomicWrite, AMissingDirectoryIsAnErrorNamingThePath) {
  TemporaryDirectory dir;
  std::string path = dir.file("missing/report.html");
  EXPECT_EQ(errorText(writeReportHtml(path, makeConfig(), {makeRelu()})),
            "cannot write '" + path + "': No such file or directory");
  EXPECT_TRUE(dir.list().empty());
}

TEST(AtomicWrite, ADirectoryInTheWayIsKeptAndNothingIsLeft) {
  TemporaryDirectory dir;
  std::string path = dir.file("report.html");
  ASSERT_FALSE(llvm::sys::fs::create_directory(path));
  ASSERT_FALSE(llvm::sys::fs::create_directory(path + "/kept"));
  std::string error =
      errorText(writeReportHtml(path, makeConfig(), {makeRelu()}));
  EXPECT_EQ(error.rfind("cannot write '" + path + "': ", 0), 0u) << error;
  EXPECT_EQ(dir.list(), std::vector<std::string>{"report.html"});
  EXPECT_TRUE(llvm::sys::fs::is_directory(path + "/kept"));
}

} // namespace
