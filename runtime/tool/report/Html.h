// Text for the report: HTML escaping and the numbers as people read them.
#ifndef ACTC_RUNTIME_TOOL_REPORT_HTML_H
#define ACTC_RUNTIME_TOOL_REPORT_HTML_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace act::runtime {

/// `text` safe as HTML or SVG text and as a quoted attribute value: & < > "
/// and ' become character references.
std::string escapeHtml(llvm::StringRef text);

/// printf-style `%.<decimals>f` of a finite value; "—" for NaN and "∞" or
/// "−∞" for infinities, so a diverged run reads as such.
std::string formatFixed(double value, int decimals);

/// A fraction as a percentage: 0.8812 → "88.12%".
std::string formatPercent(double fraction, int decimals);

} // namespace act::runtime

#endif // ACTC_RUNTIME_TOOL_REPORT_HTML_H
