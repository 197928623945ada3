// `fmnist compare`'s outputs: results.csv and report.html (see Report.h).
#include "runtime/tool/report/Report.h"

#include "runtime/tool/report/Html.h"
#include "runtime/tool/report/Svg.h"
#include "support/AtomicFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace act::runtime;

namespace {

/// Fashion-MNIST's fixed input and output widths around the hidden layers.
constexpr int kImagePixels = 28 * 28;
constexpr int kClasses = 10;

/// Run colours, by position on the command line: Tableau 10 (designed to
/// tell lines apart), reordered so the first few differ most. Beyond ten
/// runs, hues are spread by the golden angle instead.
constexpr const char *kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                    "#b07aa1", "#76b7b2", "#9c755f", "#ff9da7",
                                    "#c9a227", "#7f7f7f"};
constexpr size_t kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);
constexpr double kGoldenAngleDegrees = 137.508;

/// The page's style: light and dark themes, system fonts (nothing to load).
constexpr const char *kStyle = R"css(
:root{--bg:#f6f7f9;--card:#fff;--fg:#1f2328;--muted:#5f6b76;--grid:#eceef1;
--axis:#8c959f;--border:#e1e4e8;--best:#eaf6ee;--best-fg:#1a7f37;--bad:#cf222e;
--deriv:#3d4650}
@media (prefers-color-scheme:dark){:root{--bg:#0e1116;--card:#161b22;
--fg:#e6edf3;--muted:#9aa5b1;--grid:#232a33;--axis:#5b6570;--border:#2b323c;
--best:#12301d;--best-fg:#4fd16e;--bad:#ff7b72;--deriv:#c4ccd4}}
*{box-sizing:border-box}
html{background:var(--bg)}
body{margin:0;color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",
Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:36px 24px 40px}
.eyebrow{margin:0;color:var(--muted);font-size:13px;letter-spacing:.06em;
text-transform:uppercase;font-weight:600}
h1{font-size:28px;line-height:1.2;margin:4px 0 6px;font-weight:700;
letter-spacing:-.015em}
h2{font-size:18px;margin:0 0 4px;font-weight:650}
.sub,.hint{color:var(--muted);margin:0 0 14px}
.chips{display:flex;flex-wrap:wrap;gap:8px;margin:0;padding:0;list-style:none}
.chips li{background:var(--card);border:1px solid var(--border);
border-radius:999px;padding:3px 12px;font-size:13px}
.chips b{color:var(--muted);font-weight:600;margin-right:6px}
section{background:var(--card);border:1px solid var(--border);border-radius:14px;
padding:22px 24px;margin-top:22px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.lead{margin:0 0 16px;font-size:16px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:9px 14px;text-align:left;border-bottom:1px solid var(--border);
white-space:nowrap}
th{font-size:12px;text-transform:uppercase;letter-spacing:.05em;
color:var(--muted);font-weight:600}
tbody tr:last-child td{border-bottom:0}
.num{text-align:right}
.rank{color:var(--muted);width:3em}
.delta{color:var(--muted)}
tr.best td{background:var(--best)}
tr.best td:first-child{border-radius:8px 0 0 8px}
tr.best td:last-child{border-radius:0 8px 8px 0}
td.top{font-weight:700}
.name{font-weight:600}
.pill{display:inline-block;font-size:11px;font-weight:700;letter-spacing:.04em;
text-transform:uppercase;border-radius:999px;padding:1px 8px;margin-left:8px;
vertical-align:1px}
.pill.best{background:var(--best-fg);color:var(--card)}
.pill.bad{background:var(--bad);color:var(--card)}
.key{display:inline-block;width:12px;height:12px;border-radius:3px;
margin-right:8px;vertical-align:-1px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));
gap:10px 28px}
figure{margin:0}
figcaption{font-weight:600;margin:6px 0 2px}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:14px 0 0;padding:0;
list-style:none;font-size:14px}
.legend li{cursor:default}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));
gap:14px}
.multiples figure{border:1px solid var(--border);border-radius:10px;
padding:8px 10px 6px}
.multiples figcaption{margin:0 0 4px;font-size:14px}
.empty{color:var(--muted);font-size:13px;margin:40px 0;text-align:center}
.style-key{display:inline-block;width:26px;vertical-align:middle;margin:0 4px}
svg{display:block;width:100%;height:auto;overflow:visible}
svg text{fill:var(--muted);font-size:12px}
svg.compact text{font-size:11px}
svg text.label{fill:var(--fg);font-size:13px}
svg text.note{font-size:11px;font-style:italic}
svg .grid line{stroke:var(--grid)}
svg .zero line{stroke:var(--axis);stroke-dasharray:2 3}
svg .axis,svg .ticks line{stroke:var(--axis);fill:none}
svg .line{fill:none;stroke-width:2.25;stroke-linejoin:round;stroke-linecap:round}
svg .line.faint{stroke-width:1.5;opacity:.6}
svg .line.deriv{stroke:var(--deriv);stroke-width:1.5}
svg circle{stroke:var(--card);stroke-width:1.25}
[data-series]{transition:opacity .15s}
svg .faded{opacity:.08}
tr.faded,li.faded,figure.faded{opacity:.35}
footer{color:var(--muted);font-size:13px;margin-top:22px;text-align:center}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
font-size:.92em}
)css";

/// Hovering a line, legend entry, table row or plot fades the other
/// activations. The page reads the same without it; the last statement marks
/// that the script ran to its end (the render test checks for it).
constexpr const char *kScript = R"js(
(function () {
  var items = document.querySelectorAll('[data-series]');
  function focus(series) {
    items.forEach(function (item) {
      item.classList.toggle('faded', series !== null &&
                            item.getAttribute('data-series') !== series);
    });
  }
  items.forEach(function (item) {
    item.addEventListener('mouseenter', function () {
      focus(item.getAttribute('data-series'));
    });
    item.addEventListener('mouseleave', function () { focus(null); });
  });
  document.documentElement.setAttribute('data-report-ready', '1');
})();
)js";

/// Allows inline style and script only: the page cannot load anything, and
/// a browser reports any attempt.
constexpr const char *kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

std::string csvField(llvm::StringRef text) {
  if (text.find_first_of(",\"\r\n") == llvm::StringRef::npos)
    return text.str();
  std::string quoted = "\"";
  for (char c : text)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string csvNumber(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.6g", value);
  return text;
}

std::string colorFor(size_t run, size_t runs) {
  if (runs <= kPaletteSize)
    return kPalette[run];
  std::string color;
  llvm::raw_string_ostream(color)
      << llvm::format("hsl(%.0f, 58%%, 48%%)",
                      std::fmod(static_cast<double>(run) * kGoldenAngleDegrees,
                                360.0));
  return color;
}

bool diverged(const ActivationRun &run) {
  if (!std::isfinite(run.testAccuracy) || !std::isfinite(run.testLoss))
    return true;
  return std::any_of(run.epochs.begin(), run.epochs.end(),
                     [](const EpochRecord &epoch) {
                       return !std::isfinite(epoch.trainLoss) ||
                              !std::isfinite(epoch.testLoss);
                     });
}

llvm::Error validate(llvm::ArrayRef<ActivationRun> runs) {
  if (runs.empty())
    return llvm::createStringError(std::errc::invalid_argument,
                                   "no activation runs to report");
  for (const ActivationRun &run : runs)
    if (run.xs.size() != run.ys.size() || run.xs.size() != run.dys.size())
      return llvm::createStringError(
          std::errc::invalid_argument,
          "activation '%s': its curve has %zu xs, %zu ys and %zu dys",
          run.name.c_str(), run.xs.size(), run.ys.size(), run.dys.size());
  return llvm::Error::success();
}

std::string optimizerName(llvm::StringRef optimizer) {
  if (optimizer == "adam")
    return "Adam";
  if (optimizer == "sgd")
    return "SGD";
  return optimizer.str();
}

std::string formatGeneral(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%g", value);
  return text;
}

/// The page builder: one method per part of the page, in page order.
class Page {
public:
  Page(const RunConfig &config, llvm::ArrayRef<ActivationRun> runs)
      : config(config), runs(runs), order(rankRuns(runs)) {}

  std::string render() {
    os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta http-equiv=\"Content-Security-Policy\" content=\""
       << kContentSecurityPolicy << "\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light "
          "dark\">\n<title>Activation functions on Fashion-MNIST</title>\n"
       << "<style>" << kStyle << "</style>\n</head>\n<body>\n<main>\n";
    writeHeader();
    writeResults();
    writeCurves();
    writeActivations();
    os << "<footer>Written by <code>fmnist compare</code> (actc). The page is "
          "self-contained: it loads nothing from the network.</footer>\n"
       << "</main>\n<script>" << kScript << "</script>\n</body>\n</html>\n";
    return os.str();
  }

private:
  std::string key(size_t run) const {
    return "<span class=\"key\" style=\"background:" + colorFor(run, runs.size()) +
           "\"></span>";
  }

  std::string modelName() const {
    std::string name = config.model == "mlp" ? "MLP" : config.model;
    name += " " + std::to_string(kImagePixels);
    for (int width : config.hidden)
      name += "-" + std::to_string(width);
    return name + "-" + std::to_string(kClasses);
  }

  void writeHeader() {
    os << "<header>\n<p class=\"eyebrow\">actc &middot; fmnist compare</p>\n"
       << "<h1>Activation functions on Fashion-MNIST</h1>\n<p class=\"sub\">"
       << runs.size() << (runs.size() == 1 ? " activation" : " activations")
       << " trained with the same seed and data order, evaluated on the "
          "10,000 test images.</p>\n<ul class=\"chips\">";
    auto chip = [&](llvm::StringRef label, const std::string &value) {
      os << "<li><b>" << label << "</b>" << escapeHtml(value) << "</li>";
    };
    chip("Model", modelName());
    chip("Epochs", std::to_string(config.epochs));
    chip("Batch", std::to_string(config.batch));
    chip("Optimizer", optimizerName(config.optimizer) + ", lr " +
                          formatGeneral(config.learningRate));
    chip("Seed", std::to_string(config.seed));
    chip("Device", config.device + ", " + std::to_string(config.threads) +
                       (config.threads == 1 ? " thread" : " threads"));
    os << "</ul>\n</header>\n";
  }

  void writeLead() {
    const ActivationRun &best = runs[order.front()];
    os << "<p class=\"lead\">";
    if (!std::isfinite(best.testAccuracy)) {
      os << "No run ended with a finite test accuracy.</p>\n";
      return;
    }
    os << key(order.front()) << "<b>" << escapeHtml(best.name)
       << "</b> reaches the highest test accuracy, <b>"
       << formatPercent(best.testAccuracy, 2) << "</b> (test loss "
       << formatFixed(best.testLoss, 4) << ", "
       << formatFixed(best.secondsPerEpoch, 2) << " s per epoch).</p>\n";
  }

  void writeResults() {
    os << "<section id=\"results\">\n<h2>Results</h2>\n";
    writeLead();
    double bestAccuracy = runs[order.front()].testAccuracy;
    double lowestLoss = minimum(&ActivationRun::testLoss);
    double fastest = minimum(&ActivationRun::secondsPerEpoch);
    os << "<table>\n<thead><tr><th class=\"rank\">#</th><th>Activation</th>"
          "<th class=\"num\">Test accuracy</th><th class=\"num\">vs best</th>"
          "<th class=\"num\">Test loss</th><th class=\"num\">Seconds / "
          "epoch</th></tr></thead>\n<tbody>\n";
    for (size_t rank = 0; rank < order.size(); ++rank) {
      size_t index = order[rank];
      const ActivationRun &run = runs[index];
      bool best = rank == 0 && std::isfinite(run.testAccuracy);
      os << "<tr data-series=\"" << index << "\"" << (best ? " class=\"best\"" : "")
         << "><td class=\"rank\">" << rank + 1 << "</td><td class=\"name\">"
         << key(index) << escapeHtml(run.name);
      if (best)
        os << "<span class=\"pill best\">best</span>";
      if (diverged(run))
        os << "<span class=\"pill bad\">diverged</span>";
      os << "</td>" << cell(formatPercent(run.testAccuracy, 2), best)
         << "<td class=\"num delta\">"
         << (best ? std::string("&mdash;")
                  : deltaPoints(run.testAccuracy, bestAccuracy))
         << "</td>"
         << cell(formatFixed(run.testLoss, 4), run.testLoss == lowestLoss)
         << cell(formatFixed(run.secondsPerEpoch, 2),
                 run.secondsPerEpoch == fastest)
         << "</tr>\n";
    }
    os << "</tbody>\n</table>\n</section>\n";
  }

  static std::string cell(const std::string &text, bool top) {
    return std::string("<td class=\"num") + (top ? " top" : "") + "\">" + text +
           "</td>";
  }

  /// Test accuracy behind the best, in percentage points: "−0.42".
  static std::string deltaPoints(double accuracy, double best) {
    double points = (accuracy - best) * 100;
    if (!std::isfinite(points))
      return formatFixed(points, 2);
    std::string text = formatFixed(std::abs(points), 2);
    return points < 0 && text != "0.00" ? "\u2212" + text : text;
  }

  /// The smallest finite value of a field over the runs that did not
  /// diverge (NaN if none): a diverged run is never the one to pick.
  double minimum(double ActivationRun::*field) const {
    double lowest = NAN;
    for (const ActivationRun &run : runs) {
      double value = run.*field;
      if (diverged(run))
        continue;
      if (std::isfinite(value) && (std::isnan(lowest) || value < lowest))
        lowest = value;
    }
    return lowest;
  }

  /// Test (solid, with markers) and training (dashed, faint) curves of one
  /// metric for every run, the best drawn last so it is on top.
  std::vector<LineSeries> epochSeries(double EpochRecord::*test,
                                      double EpochRecord::*train) const {
    std::vector<LineSeries> series;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const ActivationRun &run = runs[*it];
      LineSeries testLine, trainLine;
      for (const EpochRecord &epoch : run.epochs) {
        testLine.xs.push_back(epoch.epoch);
        testLine.ys.push_back(epoch.*test);
        trainLine.xs.push_back(epoch.epoch);
        trainLine.ys.push_back(epoch.*train);
      }
      testLine.name = run.name + " (test)";
      trainLine.name = run.name + " (training)";
      for (LineSeries *line : {&trainLine, &testLine}) {
        line->color = colorFor(*it, runs.size());
        line->group = static_cast<int>(*it);
        line->markers = true;
      }
      trainLine.dashed = trainLine.faint = true;
      series.push_back(std::move(trainLine));
      series.push_back(std::move(testLine));
    }
    return series;
  }

  void writeCurves() {
    os << "<section id=\"curves\">\n<h2>Training curves</h2>\n<p class=\"hint\">"
       << styleKey(false) << "test set after each epoch &nbsp; "
       << styleKey(true)
       << "training set. Hover a line, a legend entry or a table row to pick "
          "out one activation.</p>\n<div class=\"charts\">\n";
    ChartLayout accuracy;
    accuracy.id = "accuracy-chart";
    accuracy.description = "Test and training accuracy per epoch, one line "
                           "per activation";
    accuracy.xLabel = "epoch";
    accuracy.yLabel = "accuracy";
    accuracy.integerX = true;
    accuracy.yFormat = TickFormat::Percent;
    ChartLayout loss = accuracy;
    loss.id = "loss-chart";
    loss.description = "Test and training loss per epoch, one line per "
                       "activation";
    loss.yLabel = "cross-entropy loss";
    loss.yFormat = TickFormat::Number;
    loss.capOutliers = true;
    os << "<figure><figcaption>Accuracy</figcaption>"
       << renderLineChart(accuracy, epochSeries(&EpochRecord::testAccuracy,
                                                &EpochRecord::trainAccuracy))
       << "</figure>\n<figure><figcaption>Loss</figcaption>"
       << renderLineChart(loss, epochSeries(&EpochRecord::testLoss,
                                            &EpochRecord::trainLoss))
       << "</figure>\n</div>\n<ul class=\"legend\">";
    for (size_t index : order)
      os << "<li data-series=\"" << index << "\">" << key(index)
         << escapeHtml(runs[index].name)
         << (diverged(runs[index]) ? " (diverged)" : "") << "</li>";
    os << "</ul>\n</section>\n";
  }

  /// A short sample of a solid or dashed line, for the legends' text.
  static std::string styleKey(bool dashed) {
    return std::string("<svg class=\"style-key\" viewBox=\"0 0 26 8\" "
                       "aria-hidden=\"true\"><path d=\"M1,4H25\" "
                       "class=\"line deriv\"") +
           (dashed ? " stroke-dasharray=\"6 4\"" : "") + "/></svg>";
  }

  void writeActivations() {
    os << "<section id=\"activations\">\n<h2>Activation functions</h2>\n"
          "<p class=\"hint\">Each activation "
       << styleKey(false) << "<i>f</i>(<i>x</i>) and its derivative "
       << styleKey(true) << "<i>f</i>&prime;(<i>x</i>), in table order."
       << "</p>\n<div class=\"multiples\">\n";
    for (size_t index : order) {
      const ActivationRun &run = runs[index];
      os << "<figure data-series=\"" << index << "\"><figcaption>" << key(index)
         << escapeHtml(run.name) << "</figcaption>";
      if (run.xs.empty())
        os << "<p class=\"empty\">not sampled</p>";
      else
        os << renderLineChart(activationLayout(index), activationSeries(index));
      os << "</figure>\n";
    }
    os << "</div>\n</section>\n";
  }

  ChartLayout activationLayout(size_t index) const {
    ChartLayout layout;
    layout.id = "activation-" + std::to_string(index);
    layout.description = runs[index].name + " and its derivative";
    layout.width = 260;
    layout.height = 180;
    layout.xTickCount = 5;
    layout.yTickCount = 5;
    layout.zeroLines = true;
    layout.compact = true;
    return layout;
  }

  std::vector<LineSeries> activationSeries(size_t index) const {
    const ActivationRun &run = runs[index];
    LineSeries function, derivative;
    function.xs = derivative.xs = {run.xs.begin(), run.xs.end()};
    function.ys = {run.ys.begin(), run.ys.end()};
    derivative.ys = {run.dys.begin(), run.dys.end()};
    function.name = run.name;
    function.color = colorFor(index, runs.size());
    derivative.name = run.name + "\u2032"; // Prime.
    derivative.cssClass = "deriv";
    derivative.dashed = true;
    return {derivative, function};
  }

  const RunConfig &config;
  llvm::ArrayRef<ActivationRun> runs;
  std::vector<size_t> order;
  std::string html;
  llvm::raw_string_ostream os{html};
};

} // namespace

std::vector<size_t> act::runtime::rankRuns(llvm::ArrayRef<ActivationRun> runs) {
  std::vector<size_t> order(runs.size());
  std::iota(order.begin(), order.end(), 0);
  // NaN compares false with everything, so finite values are compared only
  // after the finiteness check; a loss that is NaN ranks after any number.
  auto better = [&](size_t a, size_t b) {
    const ActivationRun &x = runs[a], &y = runs[b];
    bool xFinite = std::isfinite(x.testAccuracy);
    bool yFinite = std::isfinite(y.testAccuracy);
    if (xFinite != yFinite)
      return xFinite;
    if (xFinite && x.testAccuracy != y.testAccuracy)
      return x.testAccuracy > y.testAccuracy;
    bool xLossFinite = std::isfinite(x.testLoss);
    bool yLossFinite = std::isfinite(y.testLoss);
    if (xLossFinite != yLossFinite)
      return xLossFinite;
    return xLossFinite && x.testLoss < y.testLoss;
  };
  std::stable_sort(order.begin(), order.end(), better);
  return order;
}

llvm::Error act::runtime::writeResultsCsv(llvm::StringRef path,
                                          const RunConfig &config,
                                          llvm::ArrayRef<ActivationRun> runs) {
  std::string csv;
  llvm::raw_string_ostream os(csv);
  os << "activation,epochs,test_accuracy,test_loss,train_accuracy,train_loss,"
        "seconds_per_epoch,device,threads,batch,optimizer,learning_rate,seed\n";
  std::string settings = "," + csvField(config.device) + "," +
                         std::to_string(config.threads) + "," +
                         std::to_string(config.batch) + "," +
                         csvField(config.optimizer) + "," +
                         csvNumber(config.learningRate) + "," +
                         std::to_string(config.seed);
  for (const ActivationRun &run : runs) {
    os << csvField(run.name) << "," << run.epochs.size() << ","
       << csvNumber(run.testAccuracy) << "," << csvNumber(run.testLoss) << ",";
    if (!run.epochs.empty())
      os << csvNumber(run.epochs.back().trainAccuracy) << ","
         << csvNumber(run.epochs.back().trainLoss);
    else
      os << ",";
    os << "," << csvNumber(run.secondsPerEpoch) << settings << "\n";
  }
  return writeFileAtomically(path, os.str());
}

llvm::Error act::runtime::writeReportHtml(llvm::StringRef path,
                                          const RunConfig &config,
                                          llvm::ArrayRef<ActivationRun> runs) {
  if (llvm::Error error = validate(runs))
    return error;
  return writeFileAtomically(path, Page(config, runs).render());
}
