// Splits .act source text into tokens, reporting bad characters as it goes.
#include "dsl/Lexer.h"
#include "dsl/Diagnostics.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>

using namespace act;

llvm::StringRef act::describe(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Name:
    return "a name";
  case TokenKind::Number:
    return "a number";
  case TokenKind::String:
    return "a string";
  case TokenKind::KwAct:
    return "'act'";
  case TokenKind::KwLet:
    return "'let'";
  case TokenKind::KwIn:
    return "'in'";
  case TokenKind::KwImport:
    return "'import'";
  case TokenKind::KwLearn:
    return "'learn'";
  case TokenKind::KwGrad:
    return "'grad'";
  case TokenKind::LParen:
    return "'('";
  case TokenKind::RParen:
    return "')'";
  case TokenKind::Comma:
    return "','";
  case TokenKind::Assign:
    return "'='";
  case TokenKind::Question:
    return "'?'";
  case TokenKind::Colon:
    return "':'";
  case TokenKind::PipePipe:
    return "'||'";
  case TokenKind::AmpAmp:
    return "'&&'";
  case TokenKind::Less:
    return "'<'";
  case TokenKind::LessEqual:
    return "'<='";
  case TokenKind::Greater:
    return "'>'";
  case TokenKind::GreaterEqual:
    return "'>='";
  case TokenKind::EqualEqual:
    return "'=='";
  case TokenKind::BangEqual:
    return "'!='";
  case TokenKind::Plus:
    return "'+'";
  case TokenKind::Minus:
    return "'-'";
  case TokenKind::Star:
    return "'*'";
  case TokenKind::Slash:
    return "'/'";
  case TokenKind::Caret:
    return "'^'";
  case TokenKind::Bang:
    return "'!'";
  }
  return "a token";
}

static bool isNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool isDigit(char c) { return c >= '0' && c <= '9'; }
static bool isNameChar(char c) { return isNameStart(c) || isDigit(c); }

Lexer::Lexer(llvm::StringRef buffer, DiagnosticEngine &diags)
    : cur(buffer.begin()), end(buffer.end()), diags(diags) {}

const Token &Lexer::peek(unsigned n) {
  while (lookahead.size() <= n)
    lookahead.push_back(lexToken());
  return lookahead[n];
}

void Lexer::consume() {
  peek(0);
  // The end of file repeats forever, so the parser never runs off the end.
  if (!lookahead.front().is(TokenKind::Eof))
    lookahead.pop_front();
}

Token Lexer::makeToken(TokenKind kind, const char *start) {
  Token token;
  token.kind = kind;
  token.range = llvm::SMRange(llvm::SMLoc::getFromPointer(start),
                              llvm::SMLoc::getFromPointer(cur));
  token.spelling = llvm::StringRef(start, cur - start);
  return token;
}

void Lexer::readComment() {
  // A comment after code on its line is not documentation, and ends any
  // comment block above it.
  bool aloneOnLine = atLineStart;
  bool afterBlankLine = newlinesSinceComment > 1;
  ++cur; // '#'
  if (cur != end && *cur == ' ')
    ++cur;
  const char *textStart = cur;
  while (cur != end && *cur != '\n' && *cur != '\r')
    ++cur;
  llvm::StringRef text = llvm::StringRef(textStart, cur - textStart).rtrim();

  if (!aloneOnLine || afterBlankLine)
    pendingDoc.clear();
  if (aloneOnLine) {
    if (!pendingDoc.empty())
      pendingDoc += '\n';
    pendingDoc += text.str();
  }
  newlinesSinceComment = 0;
}

void Lexer::skipWhitespaceAndComments() {
  while (cur != end) {
    char c = *cur;
    if (c == '\n') {
      atLineStart = true;
      ++newlinesSinceComment;
      ++cur;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++cur;
    } else if (c == '#') {
      readComment();
    } else {
      return;
    }
  }
}

Token Lexer::lexToken() {
  while (true) {
    skipWhitespaceAndComments();
    const char *start = cur;
    if (cur == end)
      return makeToken(TokenKind::Eof, start);

    Token token;
    char c = *cur;
    if (isNameStart(c))
      token = lexName(start);
    else if (isDigit(c) || (c == '.' && cur + 1 != end && isDigit(cur[1])))
      token = lexNumber(start);
    else if (c == '"')
      token = lexString(start);
    else {
      auto twoChar = [&](char second, TokenKind two, TokenKind one) {
        if (cur + 1 != end && cur[1] == second) {
          cur += 2;
          return makeToken(two, start);
        }
        ++cur;
        return makeToken(one, start);
      };
      auto single = [&](TokenKind kind) {
        ++cur;
        return makeToken(kind, start);
      };
      switch (c) {
      case '(':
        token = single(TokenKind::LParen);
        break;
      case ')':
        token = single(TokenKind::RParen);
        break;
      case ',':
        token = single(TokenKind::Comma);
        break;
      case '?':
        token = single(TokenKind::Question);
        break;
      case ':':
        token = single(TokenKind::Colon);
        break;
      case '+':
        token = single(TokenKind::Plus);
        break;
      case '-':
        token = single(TokenKind::Minus);
        break;
      case '*':
        token = single(TokenKind::Star);
        break;
      case '/':
        token = single(TokenKind::Slash);
        break;
      case '^':
        token = single(TokenKind::Caret);
        break;
      case '=':
        token = twoChar('=', TokenKind::EqualEqual, TokenKind::Assign);
        break;
      case '!':
        token = twoChar('=', TokenKind::BangEqual, TokenKind::Bang);
        break;
      case '<':
        token = twoChar('=', TokenKind::LessEqual, TokenKind::Less);
        break;
      case '>':
        token = twoChar('=', TokenKind::GreaterEqual, TokenKind::Greater);
        break;
      case '|':
      case '&':
        if (cur + 1 != end && cur[1] == c) {
          cur += 2;
          token = makeToken(c == '|' ? TokenKind::PipePipe : TokenKind::AmpAmp,
                            start);
          break;
        }
        [[fallthrough]];
      default:
        reportInvalidCharacter(start);
        atLineStart = false;
        continue;
      }
    }
    token.startsLine = atLineStart;
    if (!pendingDoc.empty() && newlinesSinceComment == 1)
      token.doc = std::move(pendingDoc);
    pendingDoc.clear();
    atLineStart = false;
    return token;
  }
}

Token Lexer::lexName(const char *start) {
  while (cur != end && isNameChar(*cur))
    ++cur;
  llvm::StringRef name(start, cur - start);
  TokenKind kind = llvm::StringSwitch<TokenKind>(name)
                       .Case("act", TokenKind::KwAct)
                       .Case("let", TokenKind::KwLet)
                       .Case("in", TokenKind::KwIn)
                       .Case("import", TokenKind::KwImport)
                       .Case("learn", TokenKind::KwLearn)
                       .Case("grad", TokenKind::KwGrad)
                       .Default(TokenKind::Name);
  return makeToken(kind, start);
}

Token Lexer::lexNumber(const char *start) {
  auto skipDigits = [&] {
    while (cur != end && isDigit(*cur))
      ++cur;
  };
  skipDigits();
  if (cur != end && *cur == '.') {
    ++cur;
    skipDigits();
  }
  if (cur != end && (*cur == 'e' || *cur == 'E')) {
    const char *exponent = cur;
    ++cur;
    if (cur != end && (*cur == '+' || *cur == '-'))
      ++cur;
    if (cur == end || !isDigit(*cur))
      diags.error(llvm::SMRange(llvm::SMLoc::getFromPointer(exponent),
                                llvm::SMLoc::getFromPointer(cur)),
                  "exponent has no digits");
    skipDigits();
  }
  Token token = makeToken(TokenKind::Number, start);
  // strtod needs a terminated copy: the buffer may go on with characters
  // that belong to an invalid suffix.
  std::string text = token.spelling.str();
  token.number = std::strtod(text.c_str(), nullptr);
  if (std::isinf(token.number))
    diags.error(token.range, "number literal is too large");

  const char *suffix = cur;
  while (cur != end && (isNameChar(*cur) || *cur == '.'))
    ++cur;
  if (cur != suffix) {
    llvm::SMRange range(llvm::SMLoc::getFromPointer(suffix),
                        llvm::SMLoc::getFromPointer(cur));
    diags.error(range, "invalid suffix '" +
                           llvm::StringRef(suffix, cur - suffix) +
                           "' on number literal");
  }
  return token;
}

Token Lexer::lexString(const char *start) {
  ++cur; // '"'
  while (cur != end && *cur != '"' && *cur != '\n' && *cur != '\r')
    ++cur;
  bool terminated = cur != end && *cur == '"';
  llvm::StringRef contents(start + 1, cur - start - 1);
  if (terminated)
    ++cur;
  Token token = makeToken(TokenKind::String, start);
  token.stringValue = contents;
  if (!terminated)
    diags.error(llvm::SMLoc::getFromPointer(start),
                "missing terminating '\"' character");
  return token;
}

void Lexer::reportInvalidCharacter(const char *start) {
  unsigned char c = *start;
  std::string name;
  llvm::raw_string_ostream os(name);
  unsigned length = 1;
  if (c >= 0x80) {
    // A whole UTF-8 sequence is one character; a byte that starts none is
    // reported on its own.
    unsigned sequenceLength = llvm::getNumBytesForUTF8(c);
    const auto *bytes = reinterpret_cast<const llvm::UTF8 *>(start);
    const auto *bufferEnd = reinterpret_cast<const llvm::UTF8 *>(end);
    llvm::UTF32 codePoint;
    if (sequenceLength <= size_t(end - start) &&
        llvm::isLegalUTF8Sequence(bytes, bytes + sequenceLength) &&
        llvm::convertUTF8Sequence(&bytes, bufferEnd, &codePoint,
                                  llvm::strictConversion) ==
            llvm::conversionOK) {
      length = sequenceLength;
      os << "U+" << llvm::format_hex_no_prefix(codePoint, 4, /*Upper=*/true);
    } else {
      os << "'\\x" << llvm::format_hex_no_prefix(c, 2, /*Upper=*/true) << "'";
    }
  } else if (c < 0x20 || c == 0x7f) {
    os << "'\\x" << llvm::format_hex_no_prefix(c, 2, /*Upper=*/true) << "'";
  } else {
    os << "'" << char(c) << "'";
  }
  cur = start + length;
  llvm::SMRange range(llvm::SMLoc::getFromPointer(start),
                      llvm::SMLoc::getFromPointer(cur));
  if (c == '|' || c == '&')
    diags.error(range, "invalid character " + os.str() + "; did you mean '" +
                           llvm::Twine(char(c)) + llvm::Twine(char(c)) + "'?");
  else
    diags.error(range, "invalid character " + os.str());
}
