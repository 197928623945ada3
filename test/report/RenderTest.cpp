// report.html in a real browser: headless Chromium loads it, runs its
// script, and reports no console message (no script error, no SVG attribute
// it could not parse, no blocked network request).
#include "Synthetic.h"

#include "runtime/tool/report/Report.h"
#include "support/AtomicFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Program.h"

#include <gtest/gtest.h>

using namespace act::runtime;
using namespace act::runtime::testing;

namespace {

/// Chromium takes about 1.5 s to render the page here; this bounds a hang.
constexpr unsigned kChromiumTimeoutSeconds = 30;

/// Runs in the rendered report: more than the palette's ten colours.
constexpr size_t kRuns = 12;

struct Rendered {
  int exitCode = -1;
  std::string dom;                     // The DOM after the page's scripts ran.
  std::vector<std::string> console;    // Console messages Chromium logged.
  std::string log;
};

/// Runs headless Chromium on `page` and collects its DOM and console.
Rendered render(const std::string &chromium, const TemporaryDirectory &dir,
                const std::string &page) {
  std::string dom = dir.file("dom.html"), log = dir.file("chromium.log");
  std::string profile = "--user-data-dir=" + dir.file("profile");
  std::string url = "file://" + page;
  llvm::StringRef args[] = {chromium,
                            "--headless",
                            "--disable-gpu",
                            "--no-sandbox", // Sandboxing fails as root (CI).
                            "--disable-dev-shm-usage",
                            "--no-first-run",
                            profile,
                            "--enable-logging=stderr",
                            "--v=0",
                            "--dump-dom",
                            url};
  llvm::Optional<llvm::StringRef> redirects[] = {llvm::StringRef(""),
                                                 llvm::StringRef(dom),
                                                 llvm::StringRef(log)};
  Rendered result;
  std::string error;
  result.exitCode = llvm::sys::ExecuteAndWait(chromium, args, llvm::None,
                                              redirects, kChromiumTimeoutSeconds,
                                              0, &error);
  EXPECT_EQ(error, "");
  result.dom = readFile(dom);
  result.log = readFile(log);
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::SplitString(result.log, lines, "\n");
  for (llvm::StringRef line : lines)
    if (line.contains(":CONSOLE"))
      result.console.push_back(line.str());
  return result;
}

/// The Chromium binary, or empty when it is not installed.
std::string findChromium() {
  llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName("chromium");
  return path ? *path : std::string();
}

TEST(RenderInChromium, TheReportLoadsWithoutAnyConsoleMessage) {
  std::string chromium = findChromium();
  if (chromium.empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh "
                    "installs it); report.html was not rendered";
  TemporaryDirectory dir;
  ActivationRun hostile = makeTanh();
  hostile.name = "</svg><script>throw 1</script>";
  std::vector<ActivationRun> runs = {makeRelu(), hostile, makeDiverged()};
  // More runs than the palette has colours, so computed colours are used too.
  for (int i = 0; runs.size() < kRuns; ++i) {
    runs.push_back(makeTanh());
    runs.back().name = "tanh" + std::to_string(i);
  }
  std::string page = dir.file("report.html");
  ASSERT_FALSE(writeReportHtml(page, makeConfig(), runs));

  Rendered result = render(chromium, dir, page);
  ASSERT_EQ(result.exitCode, 0) << result.log;
  EXPECT_TRUE(result.console.empty())
      << "console:\n" << llvm::join(result.console, "\n");
  // The page's script ran to its end.
  EXPECT_NE(result.dom.find("data-report-ready=\"1\""), std::string::npos);
  llvm::StringRef dom(result.dom);
  EXPECT_EQ(dom.count("<table>"), 1u);
  EXPECT_EQ(dom.count("<tr data-series="), kRuns);
  // The two epoch charts and one plot per activation, each with its lines.
  EXPECT_EQ(dom.count("<svg class=\"chart"), 2 + kRuns);
  EXPECT_GE(dom.count("<path d=\"M"), 2 * (2 + kRuns));
  EXPECT_NE(dom.find("stroke=\"hsl("), std::string::npos);
  EXPECT_EQ(dom.count("<script>"), 1u);
}

/// The check above can fail: a page with an unparsable path and a throwing
/// script produces console messages and no ready marker.
TEST(RenderInChromium, BrokenPagesAreCaught) {
  std::string chromium = findChromium();
  if (chromium.empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh "
                    "installs it)";
  TemporaryDirectory dir;
  std::string page = dir.file("broken.html");
  ASSERT_FALSE(act::writeFileAtomically(
      page, "<!DOCTYPE html><svg><path d=\"M nan,1 L 2,3\"/></svg><script>"
            "undefinedFunction();document.documentElement.setAttribute("
            "'data-report-ready','1');</script>"));
  Rendered result = render(chromium, dir, page);
  ASSERT_EQ(result.exitCode, 0) << result.log;
  std::string console = llvm::join(result.console, "\n");
  EXPECT_NE(console.find("attribute d: Expected number"), std::string::npos)
      << console;
  EXPECT_NE(console.find("Uncaught ReferenceError"), std::string::npos)
      << console;
  EXPECT_EQ(result.dom.find("data-report-ready=\"1\""), std::string::npos);
}

} // namespace
