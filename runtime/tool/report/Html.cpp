// HTML escaping and number formatting for the report (see Html.h).
#include "runtime/tool/report/Html.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace act::runtime;

std::string act::runtime::escapeHtml(llvm::StringRef text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&': escaped += "&amp;"; break;
    case '<': escaped += "&lt;"; break;
    case '>': escaped += "&gt;"; break;
    case '"': escaped += "&quot;"; break;
    case '\'': escaped += "&#39;"; break;
    default: escaped += c;
    }
  }
  return escaped;
}

std::string act::runtime::formatFixed(double value, int decimals) {
  if (std::isnan(value))
    return "\u2014";                          // Em dash.
  if (std::isinf(value))
    return value > 0 ? "\u221e" : "\u2212\u221e"; // Infinity, minus sign.
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.*f", decimals, value);
  if (text.find_first_not_of("-0.") == std::string::npos && text[0] == '-')
    text.erase(0, 1); // "-0.00" reads as a sign error.
  return text;
}

std::string act::runtime::formatPercent(double fraction, int decimals) {
  std::string number = formatFixed(fraction * 100, decimals);
  return std::isfinite(fraction) ? number + "%" : number;
}
