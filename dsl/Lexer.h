// Splits .act source text into tokens, reporting bad characters as it goes.
#ifndef ACTC_DSL_LEXER_H
#define ACTC_DSL_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <deque>
#include <string>

namespace act {

class DiagnosticEngine;

enum class TokenKind {
  Eof,
  Name,
  Number,
  String,
  // Keywords.
  KwAct,
  KwLet,
  KwIn,
  KwImport,
  KwLearn,
  KwGrad,
  // Punctuation and operators.
  LParen,
  RParen,
  Comma,
  Assign,
  Question,
  Colon,
  PipePipe,
  AmpAmp,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  EqualEqual,
  BangEqual,
  Plus,
  Minus,
  Star,
  Slash,
  Caret,
  Bang,
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  /// The characters of the token; `End` is one past the last one.
  llvm::SMRange range;
  /// The token as written (a string's quotes included).
  llvm::StringRef spelling;
  /// The value of a Number.
  double number = 0;
  /// The contents of a String, without the quotes.
  llvm::StringRef stringValue;
  /// The `#` comment lines directly above the token, without the `#`.
  std::string doc;
  /// Whether the token is the first on its line.
  bool startsLine = false;

  bool is(TokenKind k) const { return kind == k; }
};

/// How a token kind is written, for messages: "')'", "'let'", "a name".
llvm::StringRef describe(TokenKind kind);

/// Produces the tokens of one buffer on demand, with one token of lookahead
/// beyond the current one. Errors (bad characters, unterminated strings,
/// numbers too large) are reported and lexing continues after them.
class Lexer {
public:
  Lexer(llvm::StringRef buffer, DiagnosticEngine &diags);

  const Token &getCurToken() { return peek(0); }
  /// The token after the current one.
  const Token &peekNextToken() { return peek(1); }
  /// Moves to the next token.
  void consume();

private:
  const Token &peek(unsigned n);
  Token lexToken();
  void skipWhitespaceAndComments();
  void readComment();
  Token lexName(const char *start);
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  void reportInvalidCharacter(const char *start);
  Token makeToken(TokenKind kind, const char *start);

  const char *cur;
  const char *end;
  DiagnosticEngine &diags;
  std::deque<Token> lookahead;

  // Doc comment tracking: the comment lines seen since the last token, kept
  // only while each is alone on its line and no blank line follows them.
  std::string pendingDoc;
  bool atLineStart = true;
  unsigned newlinesSinceComment = 0;
};

} // namespace act

#endif // ACTC_DSL_LEXER_H
