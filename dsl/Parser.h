// Recursive-descent parser for the .act grammar of LANGUAGE.md.
#ifndef ACTC_DSL_PARSER_H
#define ACTC_DSL_PARSER_H

#include "dsl/AST.h"
#include "dsl/Lexer.h"

#include "llvm/ADT/StringSet.h"

namespace act {

class DiagnosticEngine;

/// Builds the AST of one file. A syntax error is reported, the activation it
/// is in is left out of the File, and parsing goes on at the next `act` or
/// `import`, so every syntax error in the file is reported.
class Parser {
public:
  Parser(Lexer &lexer, unsigned bufferId, DiagnosticEngine &diags)
      : lexer(lexer), bufferId(bufferId), diags(diags) {}

  /// Parses the whole buffer; the caller fills in File::path and bufferId.
  std::unique_ptr<File> parseFile();

  /// The names of activations left out for syntax errors: calls to them are
  /// not reported again as calls of unknown functions.
  const llvm::StringSet<> &getBrokenActivations() const {
    return brokenActivations;
  }

private:
  std::optional<Import> parseImport();
  std::unique_ptr<Activation> parseActivation();
  bool parseParams(Activation &activation);
  std::optional<Param> parseParam();

  ExprPtr parseExpr();
  ExprPtr parseLet();
  ExprPtr parseCond();
  ExprPtr parseOr();
  ExprPtr parseAnd();
  ExprPtr parseComparison();
  ExprPtr parseAdd();
  ExprPtr parseMul();
  ExprPtr parseUnary();
  ExprPtr parsePower();
  ExprPtr parsePrimary();
  ExprPtr parseParenExpr();
  ExprPtr parseCall();

  ExprPtr makeBinary(BinaryOp op, llvm::SMLoc start, llvm::SMLoc opLoc,
                     ExprPtr lhs, ExprPtr rhs);
  ExprPtr checkHeight(ExprPtr expr, llvm::SMLoc loc);

  /// Counts one level of parser recursion for as long as it lives.
  class NestingScope {
  public:
    explicit NestingScope(Parser &parser) : parser(parser) { ++parser.depth; }
    ~NestingScope() { --parser.depth; }
    bool tooDeep() const;

  private:
    Parser &parser;
  };

  const Token &cur() { return lexer.getCurToken(); }
  bool consumeIf(TokenKind kind);
  bool expect(TokenKind kind, const llvm::Twine &message);
  bool expectClosing(TokenKind closing, TokenKind opening,
                     llvm::SMRange openingRange);
  void consume();
  ExprPtr errorExpected(const llvm::Twine &what);
  ExprPtr nestedTooDeeply(llvm::SMLoc loc);
  void skipToTopLevel();

  Lexer &lexer;
  unsigned bufferId;
  DiagnosticEngine &diags;
  unsigned depth = 0;
  /// The end of the last consumed token: where a node's range ends.
  llvm::SMLoc lastEnd;
  llvm::StringSet<> brokenActivations;
};

} // namespace act

#endif // ACTC_DSL_PARSER_H
