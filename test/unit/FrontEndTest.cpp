// Unit tests of the .act front end: lexer, parser, semantic checks, loader.
#include "dsl/AST.h"
#include "dsl/Builtins.h"
#include "dsl/Diagnostics.h"
#include "dsl/Lexer.h"
#include "dsl/Loader.h"
#include "dsl/SourceLocator.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>

using namespace act;

namespace {

/// What loading a source text printed: the AST dump (empty on failure) and
/// the diagnostics.
struct Loaded {
  std::string ast;
  std::string diagnostics;
  unsigned errors = 0;
};

Loaded loadSource(llvm::StringRef source, llvm::StringRef path = "t.act") {
  Loaded result;
  llvm::SourceMgr sourceMgr;
  llvm::raw_string_ostream diagOS(result.diagnostics);
  DiagnosticEngine diags(sourceMgr, diagOS);
  std::unique_ptr<Program> program = loadProgramFromSource(source, path, diags);
  result.errors = diags.errorCount();
  if (program) {
    llvm::raw_string_ostream astOS(result.ast);
    dumpAST(*program, sourceMgr, astOS);
  }
  return result;
}

/// The `FILE:LINE:COL: KIND: MESSAGE` lines of the diagnostics, without the
/// source lines and carets under them.
std::vector<std::string> messages(const std::string &diagnostics) {
  std::vector<std::string> lines;
  llvm::SmallVector<llvm::StringRef, 16> all;
  llvm::StringRef(diagnostics).split(all, '\n', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef line : all)
    if (line.contains(": error: ") || line.contains(": note: "))
      lines.push_back(line.str());
  return lines;
}

/// The single error that `source` produces.
std::string onlyError(llvm::StringRef source) {
  Loaded loaded = loadSource(source);
  EXPECT_EQ(loaded.errors, 1u) << loaded.diagnostics;
  std::vector<std::string> lines = messages(loaded.diagnostics);
  return lines.empty() ? "" : lines.front();
}

/// The body of the first activation in the dump, without locations.
std::string bodyTree(llvm::StringRef source) {
  Loaded loaded = loadSource(source);
  EXPECT_EQ(loaded.errors, 0u) << loaded.diagnostics;
  std::string tree;
  llvm::SmallVector<llvm::StringRef, 32> lines;
  llvm::StringRef(loaded.ast).split(lines, '\n', -1, /*KeepEmpty=*/false);
  bool inBody = false;
  for (llvm::StringRef line : lines) {
    if (line.trim() == "Body") {
      inBody = true;
      continue;
    }
    if (!inBody || !line.startswith("      "))
      continue;
    tree += line.drop_front(6).split(" <").first.str() + "\n";
  }
  return tree;
}

struct LexedToken {
  TokenKind kind;
  std::string spelling;
};

/// Every token of `source`, and the diagnostics printed while lexing it.
std::vector<LexedToken> lex(llvm::StringRef source,
                            std::string *diagnostics = nullptr) {
  llvm::SourceMgr sourceMgr;
  std::string text;
  llvm::raw_string_ostream os(text);
  DiagnosticEngine diags(sourceMgr, os);
  unsigned id = sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, "lex.act"), llvm::SMLoc());
  Lexer lexer(sourceMgr.getMemoryBuffer(id)->getBuffer(), diags);
  std::vector<LexedToken> tokens;
  for (; !lexer.getCurToken().is(TokenKind::Eof); lexer.consume())
    tokens.push_back(
        {lexer.getCurToken().kind, lexer.getCurToken().spelling.str()});
  if (diagnostics)
    *diagnostics = os.str();
  return tokens;
}

std::vector<TokenKind> kinds(llvm::StringRef source) {
  std::vector<TokenKind> result;
  for (const LexedToken &token : lex(source))
    result.push_back(token.kind);
  return result;
}

double numberValue(llvm::StringRef source) {
  llvm::SourceMgr sourceMgr;
  DiagnosticEngine diags(sourceMgr, llvm::nulls());
  Lexer lexer(source, diags);
  EXPECT_TRUE(lexer.getCurToken().is(TokenKind::Number));
  return lexer.getCurToken().number;
}

/// A fresh directory for files that import each other.
class TempDir {
public:
  TempDir() { llvm::sys::fs::createUniqueDirectory("actc-frontend", path); }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }
  std::string write(llvm::StringRef name, llvm::StringRef text) {
    llvm::SmallString<128> file(path);
    llvm::sys::path::append(file, name);
    std::ofstream(file.str().str()) << text.str();
    return file.str().str();
  }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> file(path);
    llvm::sys::path::append(file, name);
    return file.str().str();
  }

private:
  llvm::SmallString<128> path;
};

Loaded loadFile(llvm::StringRef path) {
  Loaded result;
  llvm::SourceMgr sourceMgr;
  llvm::raw_string_ostream diagOS(result.diagnostics);
  DiagnosticEngine diags(sourceMgr, diagOS);
  std::unique_ptr<Program> program = loadProgram(path, diags);
  result.errors = diags.errorCount();
  if (program) {
    llvm::raw_string_ostream astOS(result.ast);
    dumpAST(*program, sourceMgr, astOS);
  }
  return result;
}

} // namespace

//===----------------------------------------------------------------------===//
// Lexer
//===----------------------------------------------------------------------===//

TEST(Lexer, KeywordsNamesAndPunctuation) {
  using K = TokenKind;
  EXPECT_EQ(kinds("act let in import learn grad actx _a1"),
            (std::vector<K>{K::KwAct, K::KwLet, K::KwIn, K::KwImport,
                            K::KwLearn, K::KwGrad, K::Name, K::Name}));
  EXPECT_EQ(
      kinds("( ) , = ? : || && < <= > >= == != + - * / ^ !"),
      (std::vector<K>{K::LParen,     K::RParen,    K::Comma,    K::Assign,
                      K::Question,   K::Colon,     K::PipePipe, K::AmpAmp,
                      K::Less,       K::LessEqual, K::Greater,  K::GreaterEqual,
                      K::EqualEqual, K::BangEqual, K::Plus,     K::Minus,
                      K::Star,       K::Slash,     K::Caret,    K::Bang}));
}

TEST(Lexer, Numbers) {
  EXPECT_EQ(numberValue("1"), 1.0);
  EXPECT_EQ(numberValue("1.5"), 1.5);
  EXPECT_EQ(numberValue(".5"), 0.5);
  EXPECT_EQ(numberValue("1e-3"), 1e-3);
  EXPECT_EQ(numberValue("2.5E+4"), 2.5e4);
  EXPECT_EQ(numberValue("0.1"), 0.1);
  EXPECT_EQ(numberValue("1e-400"), 0.0); // Underflow is not an error.
}

TEST(Lexer, NumberErrors) {
  std::string diagnostics;
  lex("1e999", &diagnostics);
  EXPECT_EQ(messages(diagnostics),
            std::vector<std::string>{
                "lex.act:1:1: error: number literal is too large"});
  lex("2x 1e+", &diagnostics);
  EXPECT_EQ(messages(diagnostics),
            (std::vector<std::string>{
                "lex.act:1:2: error: invalid suffix 'x' on number literal",
                "lex.act:1:5: error: exponent has no digits"}));
}

TEST(Lexer, CommentsAreSkipped) {
  std::vector<LexedToken> tokens = lex("# a comment\nx # another\r\n+ 1#end");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].spelling, "x");
  EXPECT_EQ(tokens[1].spelling, "+");
  EXPECT_EQ(tokens[2].spelling, "1");
}

TEST(Lexer, StringsAndUnterminatedStrings) {
  std::string diagnostics;
  std::vector<LexedToken> tokens = lex("import \"a b.act\"", &diagnostics);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].kind, TokenKind::String);
  EXPECT_EQ(diagnostics, "");
  lex("import \"std.act\nact", &diagnostics);
  EXPECT_EQ(messages(diagnostics),
            std::vector<std::string>{
                "lex.act:1:8: error: missing terminating '\"' character"});
}

TEST(Lexer, InvalidCharactersAreReportedAndSkipped) {
  std::string diagnostics;
  std::vector<LexedToken> tokens =
      lex(llvm::StringRef("x @ \0 \xff \xc3\xa9 | y", 14), &diagnostics);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].spelling, "y");
  EXPECT_EQ(messages(diagnostics),
            (std::vector<std::string>{
                "lex.act:1:3: error: invalid character '@'",
                "lex.act:1:5: error: invalid character '\\x00'",
                "lex.act:1:7: error: invalid character '\\xFF'",
                "lex.act:1:9: error: invalid character U+00E9",
                "lex.act:1:12: error: invalid character '|'; did you mean "
                "'||'?"}));
}

TEST(Lexer, TruncatedUtf8AtTheEndStaysInTheBuffer) {
  std::string diagnostics;
  lex("x \xe2\x82", &diagnostics);
  EXPECT_EQ(messages(diagnostics).size(), 2u) << diagnostics;
}

//===----------------------------------------------------------------------===//
// Parser: precedence and structure, through the AST dump
//===----------------------------------------------------------------------===//

TEST(Parser, UnaryMinusBindsLooserThanPower) {
  EXPECT_EQ(bodyTree("act f(x) = -x^2"), "Unary '-'\n"
                                         "  Binary '^'\n"
                                         "    Name x\n"
                                         "    Number 2\n");
}

TEST(Parser, PowerIsRightAssociativeAndTakesAUnaryExponent) {
  EXPECT_EQ(bodyTree("act f(x) = 2^3^x"), "Binary '^'\n"
                                          "  Number 2\n"
                                          "  Binary '^'\n"
                                          "    Number 3\n"
                                          "    Name x\n");
  EXPECT_EQ(bodyTree("act f(x) = 2^-x"), "Binary '^'\n"
                                         "  Number 2\n"
                                         "  Unary '-'\n"
                                         "    Name x\n");
}

TEST(Parser, ArithmeticIsLeftAssociativeWithUsualPrecedence) {
  EXPECT_EQ(bodyTree("act f(x) = x - 1 - 2 * x / 3"), "Binary '-'\n"
                                                      "  Binary '-'\n"
                                                      "    Name x\n"
                                                      "    Number 1\n"
                                                      "  Binary '/'\n"
                                                      "    Binary '*'\n"
                                                      "      Number 2\n"
                                                      "      Name x\n"
                                                      "    Number 3\n");
}

TEST(Parser, LogicalOperatorsBindLooserThanComparisons) {
  EXPECT_EQ(bodyTree("act f(x) = x < 1 || !x && x >= 2"), "Binary '||'\n"
                                                          "  Binary '<'\n"
                                                          "    Name x\n"
                                                          "    Number 1\n"
                                                          "  Binary '&&'\n"
                                                          "    Unary '!'\n"
                                                          "      Name x\n"
                                                          "    Binary '>='\n"
                                                          "      Name x\n"
                                                          "      Number 2\n");
}

TEST(Parser, ConditionalIsRightAssociative) {
  EXPECT_EQ(bodyTree("act f(x) = x < 0 ? 0 : x > 6 ? 6 : x"), "Cond\n"
                                                              "  Binary '<'\n"
                                                              "    Name x\n"
                                                              "    Number 0\n"
                                                              "  Number 0\n"
                                                              "  Cond\n"
                                                              "    Binary '>'\n"
                                                              "      Name x\n"
                                                              "      Number 6\n"
                                                              "    Number 6\n"
                                                              "    Name x\n");
}

TEST(Parser, LetBindingsAndBody) {
  EXPECT_EQ(bodyTree("act f(x) = let a = 2, b = a * x in a + b"),
            "Let\n"
            "  Binding a\n"
            "    Number 2\n"
            "  Binding b\n"
            "    Binary '*'\n"
            "      Name a\n"
            "      Name x\n"
            "  Binary '+'\n"
            "    Name a\n"
            "    Name b\n");
}

TEST(Parser, PositionalAndNamedArguments) {
  Loaded loaded = loadSource("act f(x) = g(x, 3, b = x == 1)\n"
                             "act g(x, a = 1, b = 2) = x");
  EXPECT_NE(loaded.ast.find("      Call g <1:12>\n"
                            "        Name x <1:14>\n"
                            "        Number 3 <1:17>\n"
                            "        Arg b <1:20>\n"
                            "          Binary '==' <1:24>\n"),
            std::string::npos)
      << loaded.ast;
}

TEST(Parser, ActivationHeaderWithLearnParamsGradAndDoc) {
  Loaded loaded = loadSource("# A leaky unit.\n"
                             "# Second line.\n"
                             "act f(x, learn a = -0.25, b = 1e-3) = a * x "
                             "grad y * a\n");
  EXPECT_EQ(loaded.ast, "File \"t.act\"\n"
                        "  Activation f <3:1> input=x\n"
                        "    Doc \"A leaky unit.\\0ASecond line.\"\n"
                        "    Param learn a = -0.25 <3:16>\n"
                        "    Param b = 0.001 <3:27>\n"
                        "    Body\n"
                        "      Binary '*' <3:39>\n"
                        "        Name a <3:39>\n"
                        "        Name x <3:43>\n"
                        "    Grad\n"
                        "      Binary '*' <3:50>\n"
                        "        Name y <3:50>\n"
                        "        Name a <3:54>\n");
}

TEST(Parser, DocCommentNeedsToBeDirectlyAbove) {
  Loaded loaded = loadSource("# Not a doc: a blank line follows.\n\n"
                             "act f(x) = x  # Trailing, not a doc.\n"
                             "act g(x) = x\n");
  EXPECT_EQ(loaded.ast.find("Doc"), std::string::npos) << loaded.ast;
}

TEST(Parser, NodeRangesCoverTheirText) {
  llvm::SourceMgr sourceMgr;
  DiagnosticEngine diags(sourceMgr, llvm::nulls());
  std::unique_ptr<Program> program =
      loadProgramFromSource("act f(x) = (x + 1) * 2", "t.act", diags);
  ASSERT_TRUE(program);
  const Activation &f = *program->mainFile().activations.front();
  llvm::SMRange range = f.body->getRange();
  EXPECT_EQ(llvm::StringRef(range.Start.getPointer(),
                            range.End.getPointer() - range.Start.getPointer()),
            "(x + 1) * 2");
  EXPECT_EQ(
      llvm::StringRef(f.range.Start.getPointer(),
                      f.range.End.getPointer() - f.range.Start.getPointer()),
      "act f(x) = (x + 1) * 2");
}

//===----------------------------------------------------------------------===//
// Parser: syntax errors
//===----------------------------------------------------------------------===//

TEST(ParseErrors, ParameterWithoutDefault) {
  Loaded loaded = loadSource("act f(x, alpha) = x\n");
  EXPECT_EQ(loaded.diagnostics,
            "t.act:1:10: error: parameter 'alpha' needs a default value\n"
            "act f(x, alpha) = x\n"
            "         ^~~~~\n");
}

TEST(ParseErrors, MissingClosingParenthesisPointsAtTheOpeningOne) {
  EXPECT_EQ(messages(loadSource("act f(x) = (x + 1\n").diagnostics),
            (std::vector<std::string>{"t.act:2:1: error: expected ')'",
                                      "t.act:1:12: note: to match this '('"}));
}

TEST(ParseErrors, EachMessage) {
  EXPECT_EQ(onlyError("act f(x) = x + * 2"),
            "t.act:1:16: error: expected expression");
  EXPECT_EQ(onlyError("act f(x) = 1 < x < 2"),
            "t.act:1:18: error: comparison operators cannot be chained; use "
            "'&&' to combine comparisons");
  EXPECT_EQ(onlyError("act f(x) = x ? 1"), "t.act:1:17: error: expected ':'");
  EXPECT_EQ(onlyError("act f(x) = let a = 1 a"),
            "t.act:1:22: error: expected ',' or 'in' after a let binding");
  EXPECT_EQ(onlyError("act f(x) = let 1"),
            "t.act:1:16: error: expected a name to bind");
  EXPECT_EQ(onlyError("act f(x) = g(a = 1, x)\nact g(x, a = 1) = x"),
            "t.act:1:21: error: positional arguments must come before named "
            "arguments");
  EXPECT_EQ(onlyError("act f(x) = x x"),
            "t.act:1:14: error: unexpected 'x' after the body of 'f'");
  EXPECT_EQ(onlyError("act (x) = x"),
            "t.act:1:5: error: expected an activation name after 'act'");
  EXPECT_EQ(onlyError("act f x"), "t.act:1:7: error: expected '(' after 'f'");
  EXPECT_EQ(onlyError("act f() = 1"),
            "t.act:1:7: error: expected the name of the input");
  EXPECT_EQ(onlyError("act f(x, learn) = 1"),
            "t.act:1:15: error: expected a parameter name");
  EXPECT_EQ(onlyError("act f(x, a = b) = 1"),
            "t.act:1:14: error: the default value of 'a' must be a number");
  EXPECT_EQ(onlyError("act f(x, a = 1 / 2) = 1"),
            "t.act:1:16: error: the default value of 'a' must be a number");
  // The rest of the line is skipped: the `act` in it starts nothing.
  EXPECT_EQ(messages(loadSource("import std.act\nact f(x) = x").diagnostics),
            (std::vector<std::string>{
                "t.act:1:8: error: expected a quoted file name after 'import'",
                "t.act:1:11: error: invalid character '.'"}));
  EXPECT_EQ(onlyError("act f(x, a 1) = 1"),
            "t.act:1:12: error: expected '=' after parameter 'a'");
  EXPECT_EQ(onlyError("act f(x) x"),
            "t.act:1:10: error: expected '=' before the body of 'f'");
  EXPECT_EQ(onlyError("import std"),
            "t.act:1:8: error: expected a quoted file name after 'import'");
  EXPECT_EQ(onlyError("def f(x) = x"),
            "t.act:1:1: error: expected 'act' or 'import'");
  EXPECT_EQ(onlyError("act f(x) = 1 grad"),
            "t.act:1:18: error: expected expression");
}

TEST(ParseErrors, EverySyntaxErrorIsReported) {
  Loaded loaded = loadSource("act f(x) = (\n"
                             "act g(x) = x +\n"
                             "act h(x) = x\n"
                             "act k(x) = )\n");
  EXPECT_EQ(loaded.errors, 3u) << loaded.diagnostics;
}

TEST(ParseErrors, CallsToBrokenActivationsAreNotUnknown) {
  Loaded loaded = loadSource("act f(x) = (\n"
                             "act g(x) = f(x)\n");
  EXPECT_EQ(messages(loaded.diagnostics),
            std::vector<std::string>{"t.act:2:1: error: expected expression"});
}

TEST(ParseErrors, DeepNestingIsAnErrorNotACrash) {
  auto start = std::chrono::steady_clock::now();
  std::string source =
      "act f(x) = " + std::string(100000, '(') + "x" + std::string(100000, ')');
  EXPECT_EQ(onlyError(source),
            "t.act:1:268: error: expression is nested too deeply");
  EXPECT_EQ(onlyError("act f(x) = " + std::string(100000, '-') + "x"),
            "t.act:1:267: error: expression is nested too deeply");
  std::string chain = "act f(x) = x";
  for (int i = 0; i < 100000; ++i)
    chain += "+x";
  EXPECT_EQ(onlyError(chain),
            "t.act:1:523: error: expression is nested too deeply");
  std::string conds = "act f(x) = ";
  for (int i = 0; i < 100000; ++i)
    conds += "x?1:";
  EXPECT_EQ(onlyError(conds + "x"),
            "t.act:1:1034: error: expression is nested too deeply");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ParseErrors, NestingUpToTheLimitIsFine) {
  std::string source =
      "act f(x) = " + std::string(250, '(') + "x" + std::string(250, ')');
  EXPECT_EQ(loadSource(source).errors, 0u);
}

//===----------------------------------------------------------------------===//
// Semantic checks
//===----------------------------------------------------------------------===//

TEST(Sema, UnknownFunctionSuggestsTheClosestName) {
  Loaded loaded = loadSource("import \"std.act\"\n\n"
                             "act mish2(x) = x * tahn(softplus(x))\n");
  EXPECT_EQ(loaded.diagnostics,
            "t.act:3:20: error: unknown function 'tahn'; did you mean "
            "'tanh'?\n"
            "act mish2(x) = x * tahn(softplus(x))\n"
            "                   ^~~~\n");
  EXPECT_EQ(onlyError("act f(x) = qqqq(x)"),
            "t.act:1:12: error: unknown function 'qqqq'");
}

TEST(Sema, UnknownNames) {
  EXPECT_EQ(onlyError("act f(x, alpha = 1) = alpah * x"),
            "t.act:1:23: error: unknown name 'alpah'; did you mean 'alpha'?");
  EXPECT_EQ(onlyError("act f(x) = (let a = 1 in a) + a"),
            "t.act:1:31: error: unknown name 'a'");
  EXPECT_EQ(onlyError("act f(x) = y"),
            "t.act:1:12: error: unknown name 'y'; the result 'y' can only be "
            "used in a 'grad' clause");
  EXPECT_EQ(onlyError("act f(x) = x(1)"),
            "t.act:1:12: error: 'x' is not a function");
}

TEST(Sema, VisibleNames) {
  EXPECT_EQ(loadSource("act f(x, a = 1) = let b = a, c = b in x * c + pi + "
                       "inf + nan grad y * b0(x)\n"
                       "act b0(x) = x")
                .errors,
            0u);
  // Shadowing is allowed; `y` is a parameter's name when there is one.
  EXPECT_EQ(loadSource("act f(x, y = 1) = let x = 2, pi = 3 in x * pi * y "
                       "grad y")
                .errors,
            0u);
}

TEST(Sema, BuiltinArity) {
  EXPECT_EQ(onlyError("act f(x) = clamp(x, 0)"),
            "t.act:1:12: error: 'clamp' takes 3 arguments, but 2 were given");
  EXPECT_EQ(onlyError("act f(x) = exp()"),
            "t.act:1:12: error: 'exp' takes 1 argument, but 0 were given");
  EXPECT_EQ(onlyError("act f(x) = max(a = x, b = x)"),
            "t.act:1:16: error: built-in function 'max' takes no named "
            "arguments");
}

TEST(Sema, ActivationArguments) {
  const char *elu = "act elu(x, alpha = 1) = x\n";
  EXPECT_EQ(
      messages(loadSource(std::string(elu) + "act f(x) = elu(x, alhpa = 2)")
                   .diagnostics),
      (std::vector<std::string>{
          "t.act:2:19: error: 'elu' has no parameter 'alhpa'; did you "
          "mean 'alpha'?",
          "t.act:1:5: note: 'elu' is defined here"}));
  EXPECT_EQ(
      messages(
          loadSource(std::string(elu) + "act f(x) = elu(x, 1, 2)").diagnostics)
          .front(),
      "t.act:2:22: error: 'elu' takes at most 2 arguments, but 3 were given");
  EXPECT_EQ(
      messages(loadSource(std::string(elu) + "act f(x) = elu()").diagnostics)
          .front(),
      "t.act:2:12: error: 'elu' needs the input as its first argument");
  EXPECT_EQ(
      messages(loadSource(std::string(elu) + "act f(x) = elu(x, 1, alpha = 2)")
                   .diagnostics),
      (std::vector<std::string>{
          "t.act:2:22: error: argument 'alpha' is given both "
          "positionally and by name",
          "t.act:2:19: note: given positionally here"}));
  EXPECT_EQ(messages(loadSource(std::string(elu) +
                                "act f(x) = elu(x, alpha = 1, alpha = 2)")
                         .diagnostics),
            (std::vector<std::string>{
                "t.act:2:30: error: argument 'alpha' is given twice",
                "t.act:2:19: note: first given here"}));
  EXPECT_EQ(
      messages(
          loadSource(std::string(elu) + "act f(x) = elu(x = 1)").diagnostics)
          .front(),
      "t.act:2:16: error: the input 'x' of 'elu' must be the first argument, "
      "not a named one");
}

TEST(Sema, Redefinitions) {
  EXPECT_EQ(messages(loadSource("act f(x) = x\nact f(x) = 2 * x").diagnostics),
            (std::vector<std::string>{
                "t.act:2:5: error: redefinition of 'f'",
                "t.act:1:5: note: previous definition is here"}));
  EXPECT_EQ(messages(loadSource("act f(x, a = 1, a = 2) = x").diagnostics),
            (std::vector<std::string>{
                "t.act:1:17: error: redefinition of parameter 'a'",
                "t.act:1:10: note: previous definition is here"}));
  EXPECT_EQ(messages(loadSource("act f(x, x = 1) = x").diagnostics).front(),
            "t.act:1:10: error: redefinition of parameter 'x'");
  EXPECT_EQ(
      messages(loadSource("act f(x) = let a = 1, a = 2 in a").diagnostics),
      (std::vector<std::string>{
          "t.act:1:23: error: redefinition of let binding 'a'",
          "t.act:1:16: note: previous definition is here"}));
  // A definition that clashes with the standard library.
  EXPECT_EQ(
      messages(loadSource("import \"std.act\"\nact relu(x) = x").diagnostics)
          .front(),
      "t.act:2:5: error: redefinition of 'relu'");
}

TEST(Sema, Recursion) {
  EXPECT_EQ(onlyError("act f(x) = f(x) + 1"),
            "t.act:1:12: error: recursive call to 'f'");
  EXPECT_EQ(
      messages(loadSource("act f(x) = g(x)\nact g(x) = f(x)").diagnostics),
      (std::vector<std::string>{"t.act:2:12: error: recursive call to 'f'",
                                "t.act:1:12: note: 'f' calls 'g' here"}));
  // A built-in is called, not the activation of the same name.
  EXPECT_EQ(loadSource("act tanh(x) = tanh(x)").errors, 0u);
}

TEST(Sema, CallGraphLimits) {
  std::string chain;
  for (int i = 0; i < 1000; ++i)
    chain += "act f" + std::to_string(i) + "(x) = f" + std::to_string(i + 1) +
             "(x)\n";
  chain += "act f1000(x) = x\n";
  Loaded deep = loadSource(chain);
  EXPECT_EQ(deep.errors, 1u);
  EXPECT_NE(deep.diagnostics.find("calls are nested too deeply"),
            std::string::npos);

  // The same chain defined bottom-up, each activation after its callee.
  std::string bottomUp = "act f0(x) = x\n";
  for (int i = 1; i <= 1000; ++i)
    bottomUp += "act f" + std::to_string(i) + "(x) = f" +
                std::to_string(i - 1) + "(x)\n";
  EXPECT_EQ(messages(loadSource(bottomUp).diagnostics).front(),
            "t.act:65:14: error: calls are nested too deeply (more than 64 "
            "levels)");

  std::string doubling = "act f0(x) = x\n";
  for (int i = 1; i <= 40; ++i)
    doubling += "act f" + std::to_string(i) + "(x) = f" +
                std::to_string(i - 1) + "(f" + std::to_string(i - 1) + "(x))\n";
  Loaded large = loadSource(doubling);
  EXPECT_EQ(large.errors, 1u);
  EXPECT_NE(large.diagnostics.find("is too large once its calls are inlined"),
            std::string::npos);
}

TEST(Sema, EveryErrorIsReported) {
  Loaded loaded = loadSource("act f(x) = tahn(x) + alpah + clamp(x)\n"
                             "act g(x) = g(x)\n");
  EXPECT_EQ(loaded.errors, 4u) << loaded.diagnostics;
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

TEST(Diagnostics, ClosestMatch) {
  std::vector<llvm::StringRef> names = {"tanh", "atan", "alpha", "exp"};
  EXPECT_EQ(closestMatch("tahn", names), "tanh");
  EXPECT_EQ(closestMatch("alhpa", names), "alpha");
  EXPECT_EQ(closestMatch("zzzzzz", names), "");
  EXPECT_EQ(closestMatch("tanh", names), "atan"); // Never the name itself.
}

TEST(Diagnostics, ErrorWithoutLocation) {
  llvm::SourceMgr sourceMgr;
  std::string text;
  llvm::raw_string_ostream os(text);
  DiagnosticEngine diags(sourceMgr, os);
  diags.error("something failed");
  EXPECT_EQ(os.str(), "actc: error: something failed\n");
  EXPECT_TRUE(diags.hadError());
}

TEST(Diagnostics, ManyErrorsAreCountedButNotAllPrinted) {
  std::string source;
  for (int i = 0; i < 1000; ++i)
    source += "@\n";
  Loaded loaded = loadSource(source);
  EXPECT_EQ(loaded.errors, 1000u);
  EXPECT_LT(loaded.diagnostics.size(), 20000u);
  EXPECT_NE(loaded.diagnostics.find("too many errors"), std::string::npos);
}

TEST(Diagnostics, SourceLocatorAgreesWithSourceMgr) {
  llvm::SourceMgr sourceMgr;
  unsigned bufferId = sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer("ab\ncd\r\n\r\nef\rgh\n\nij", "t.act"),
      llvm::SMLoc());
  llvm::StringRef text = sourceMgr.getMemoryBuffer(bufferId)->getBuffer();
  SourceLocator locator(sourceMgr);
  // Every offset, the end of the buffer included.
  for (size_t offset = 0; offset <= text.size(); ++offset) {
    llvm::SMLoc loc = llvm::SMLoc::getFromPointer(text.data() + offset);
    EXPECT_EQ(locator.getLineAndColumn(loc, bufferId),
              sourceMgr.getLineAndColumn(loc, bufferId))
        << "at offset " << offset;
  }
}

//===----------------------------------------------------------------------===//
// Loader and the standard library
//===----------------------------------------------------------------------===//

TEST(Loader, StandardLibraryLoadsWithoutErrors) {
  Loaded loaded = loadSource(standardLibrarySource(), "std.act");
  EXPECT_EQ(loaded.errors, 0u) << loaded.diagnostics;
}

TEST(Loader, StandardLibraryHasPyTorchsActivationsAndDefaults) {
  llvm::SourceMgr sourceMgr;
  DiagnosticEngine diags(sourceMgr, llvm::errs());
  std::unique_ptr<Program> program =
      loadProgramFromSource("import \"std.act\"", "main.act", diags);
  ASSERT_TRUE(program);
  ASSERT_EQ(program->files.size(), 2u);
  EXPECT_EQ(program->files.front()->path, "std.act");
  for (const char *name :
       {"relu",     "relu6",       "leaky_relu", "prelu",      "rrelu",
        "elu",      "selu",        "celu",       "gelu",       "gelu_tanh",
        "silu",     "mish",        "softplus",   "sigmoid",    "tanh",
        "hardtanh", "hardsigmoid", "hardswish",  "hardshrink", "softshrink",
        "softsign", "tanhshrink",  "logsigmoid", "threshold"}) {
    const Activation *activation = program->lookup(name);
    ASSERT_TRUE(activation) << name;
    EXPECT_FALSE(activation->doc.empty()) << name;
  }
  auto param = [&](llvm::StringRef activation, llvm::StringRef name) {
    const Activation *a = program->lookup(activation);
    return a->params[*a->findParam(name)];
  };
  EXPECT_EQ(param("leaky_relu", "negative_slope").defaultValue, 0.01);
  EXPECT_TRUE(param("prelu", "a").learn);
  EXPECT_EQ(param("prelu", "a").defaultValue, 0.25);
  EXPECT_EQ(param("rrelu", "lower").defaultValue, 1.0 / 8);
  EXPECT_EQ(param("rrelu", "upper").defaultValue, 1.0 / 3);
  EXPECT_EQ(param("softplus", "beta").defaultValue, 1);
  EXPECT_EQ(param("softplus", "threshold").defaultValue, 20);
  EXPECT_EQ(param("hardtanh", "min_val").defaultValue, -1);
  EXPECT_EQ(param("hardshrink", "lambd").defaultValue, 0.5);
}

TEST(Loader, MissingFileAndDirectory) {
  EXPECT_EQ(loadFile("/nonexistent/model.act").diagnostics,
            "actc: error: cannot open '/nonexistent/model.act': No such file "
            "or directory\n");
  TempDir dir;
  dir.write("a.act", "act f(x) = x");
  std::string directory = llvm::sys::path::parent_path(dir.file("a.act")).str();
  EXPECT_EQ(loadFile(directory).diagnostics,
            "actc: error: '" + directory + "' is a directory\n");
}

TEST(Loader, ImportsLoadOnceInDependencyOrder) {
  TempDir dir;
  dir.write("c.act", "import \"std.act\"\nact c(x) = relu(x)\n");
  dir.write("b.act", "import \"c.act\"\nact b(x) = c(x)\n");
  std::string main = dir.write("a.act", "import \"b.act\"\nimport \"c.act\"\n"
                                        "act a(x) = b(x) + c(x) + relu(x)\n");
  llvm::SourceMgr sourceMgr;
  DiagnosticEngine diags(sourceMgr, llvm::errs());
  std::unique_ptr<Program> program = loadProgram(main, diags);
  ASSERT_TRUE(program);
  std::vector<std::string> names;
  for (const auto &file : program->files)
    names.push_back(llvm::sys::path::filename(file->path).str());
  EXPECT_EQ(names,
            (std::vector<std::string>{"std.act", "c.act", "b.act", "a.act"}));
}

TEST(Loader, ImportErrors) {
  TempDir dir;
  std::string missing = dir.write("m.act", "import \"nope.act\"\n"
                                           "act f(x) = from_nope(x)\n");
  EXPECT_EQ(messages(loadFile(missing).diagnostics),
            std::vector<std::string>{
                missing + ":1:8: error: cannot find imported file 'nope.act'"});

  std::string self = dir.write("self.act", "import \"self.act\"\n");
  EXPECT_EQ(messages(loadFile(self).diagnostics),
            std::vector<std::string>{self + ":1:8: error: '" + self +
                                     "' imports itself"});

  std::string device = dir.write("device.act", "import \"/dev/null\"\n");
  EXPECT_EQ(messages(loadFile(device).diagnostics),
            std::vector<std::string>{
                device + ":1:8: error: imported file '/dev/null' is not a "
                         "regular file"});

  std::string a = dir.write("a.act", "import \"b.act\"\n");
  std::string b = dir.write("b.act", "\nimport \"a.act\"\n");
  EXPECT_EQ(messages(loadFile(a).diagnostics),
            std::vector<std::string>{b + ":2:8: error: import cycle: " + a +
                                     " imports " + b + " imports " + a});
}

TEST(Loader, ErrorsInImportedFilesNameThatFile) {
  TempDir dir;
  std::string lib = dir.write("lib.act", "act g(x) = tahn(x)\n");
  std::string main = dir.write("main.act", "import \"lib.act\"\n");
  EXPECT_EQ(messages(loadFile(main).diagnostics),
            std::vector<std::string>{
                lib + ":1:12: error: unknown function 'tahn'; did you mean "
                      "'tanh'?"});
}

TEST(Builtins, TableMatchesTheLanguage) {
  EXPECT_EQ(builtins().size(), 22u);
  EXPECT_EQ(lookupBuiltin("clamp")->arity, 3u);
  EXPECT_EQ(lookupBuiltin("pow")->id, Builtin::Pow);
  EXPECT_EQ(lookupBuiltin("relu"), nullptr);
  EXPECT_TRUE(std::isinf(namedConstantValue(*lookupNamedConstant("inf"))));
  EXPECT_FALSE(lookupNamedConstant("e"));
}
