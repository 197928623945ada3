// Recursive-descent parser for the .act grammar of LANGUAGE.md.
#include "dsl/Parser.h"
#include "dsl/Diagnostics.h"

#include "actc/abi.h"

using namespace act;

/// Nesting deeper than this (parentheses, unary operators, nested lets and
/// conditionals, long operator chains, which nest in the tree) is an error
/// rather than a stack overflow here or in any later walk over the tree. Real
/// activations nest a dozen levels.
static constexpr unsigned kMaxNestingDepth = 256;

/// An activation takes at most this many parameters after its input. Each is
/// a trailing argument of every generated C function, and each `learn` one a
/// derivative of the whole activation: thousands would make the compiler's
/// work quadratic. PyTorch's activations take at most three.
static constexpr unsigned kMaxParams = ACTC_MAX_PARAMS;

bool Parser::NestingScope::tooDeep() const {
  return parser.depth > kMaxNestingDepth;
}

//===----------------------------------------------------------------------===//
// Tokens
//===----------------------------------------------------------------------===//

void Parser::consume() {
  lastEnd = cur().range.End;
  lexer.consume();
}

bool Parser::consumeIf(TokenKind kind) {
  if (!cur().is(kind))
    return false;
  consume();
  return true;
}

bool Parser::expect(TokenKind kind, const llvm::Twine &message) {
  if (consumeIf(kind))
    return true;
  diags.error(cur().range, message);
  return false;
}

bool Parser::expectClosing(TokenKind closing, TokenKind opening,
                           llvm::SMRange openingRange) {
  if (consumeIf(closing))
    return true;
  diags.error(cur().range, "expected " + describe(closing));
  diags.note(openingRange, "to match this " + describe(opening));
  return false;
}

ExprPtr Parser::errorExpected(const llvm::Twine &what) {
  diags.error(cur().range, "expected " + what);
  return nullptr;
}

ExprPtr Parser::nestedTooDeeply(llvm::SMLoc loc) {
  diags.error(loc, "expression is nested too deeply");
  return nullptr;
}

ExprPtr Parser::checkHeight(ExprPtr expr, llvm::SMLoc loc) {
  if (expr->getHeight() > kMaxNestingDepth)
    return nestedTooDeeply(loc);
  return expr;
}

void Parser::skipToTopLevel() {
  while (!cur().is(TokenKind::KwAct) && !cur().is(TokenKind::KwImport) &&
         !cur().is(TokenKind::Eof))
    consume();
}

//===----------------------------------------------------------------------===//
// Files, imports, activations
//===----------------------------------------------------------------------===//

std::unique_ptr<File> Parser::parseFile() {
  auto file = std::make_unique<File>();
  file->bufferId = bufferId;
  while (!cur().is(TokenKind::Eof)) {
    if (cur().is(TokenKind::KwImport)) {
      if (std::optional<Import> import = parseImport())
        file->imports.push_back(std::move(*import));
      else
        skipToTopLevel();
      continue;
    }
    if (cur().is(TokenKind::KwAct)) {
      if (std::unique_ptr<Activation> activation = parseActivation())
        file->activations.push_back(std::move(activation));
      else
        skipToTopLevel();
      continue;
    }
    diags.error(cur().range, "expected 'act' or 'import'");
    consume();
    skipToTopLevel();
  }
  return file;
}

/// import = "import" STRING ;
std::optional<Import> Parser::parseImport() {
  llvm::SMLoc start = cur().range.Start;
  consume(); // 'import'
  if (!cur().is(TokenKind::String)) {
    diags.error(cur().range, "expected a quoted file name after 'import'");
    // The rest of the line is the unquoted path: `import std.act` must not
    // resume at the `act` in it.
    while (!cur().startsLine && !cur().is(TokenKind::Eof))
      consume();
    return std::nullopt;
  }
  Token path = cur();
  consume();
  // The lexer has reported an unterminated string; there is no path to load.
  if (path.spelling.size() < 2 || !path.spelling.endswith("\""))
    return std::nullopt;
  return Import{path.stringValue.str(), llvm::SMRange(start, lastEnd),
                path.range};
}

/// activation = "act" NAME "(" NAME { "," param } ")" "=" expr
///              [ "grad" expr ] ;
std::unique_ptr<Activation> Parser::parseActivation() {
  auto activation = std::make_unique<Activation>();
  activation->bufferId = bufferId;
  activation->doc = cur().doc;
  llvm::SMLoc start = cur().range.Start;
  consume(); // 'act'

  if (!cur().is(TokenKind::Name)) {
    diags.error(cur().range, "expected an activation name after 'act'");
    return nullptr;
  }
  activation->name = cur().spelling.str();
  activation->nameRange = cur().range;
  consume();

  auto fail = [&]() -> std::unique_ptr<Activation> {
    brokenActivations.insert(activation->name);
    return nullptr;
  };
  if (!parseParams(*activation))
    return fail();
  if (!expect(TokenKind::Assign,
              "expected '=' before the body of '" + activation->name + "'"))
    return fail();
  activation->body = parseExpr();
  if (!activation->body)
    return fail();
  if (consumeIf(TokenKind::KwGrad)) {
    activation->grad = parseExpr();
    if (!activation->grad)
      return fail();
  }
  if (!cur().is(TokenKind::KwAct) && !cur().is(TokenKind::KwImport) &&
      !cur().is(TokenKind::Eof)) {
    diags.error(cur().range, "unexpected '" + cur().spelling +
                                 "' after the body of '" + activation->name +
                                 "'");
    return fail();
  }
  activation->range = llvm::SMRange(start, lastEnd);
  return activation;
}

/// "(" NAME { "," param } ")"
bool Parser::parseParams(Activation &activation) {
  llvm::SMRange open = cur().range;
  if (!expect(TokenKind::LParen,
              "expected '(' after '" + activation.name + "'"))
    return false;
  if (!cur().is(TokenKind::Name)) {
    diags.error(cur().range, "expected the name of the input");
    return false;
  }
  activation.input = cur().spelling.str();
  activation.inputRange = cur().range;
  consume();
  while (consumeIf(TokenKind::Comma)) {
    std::optional<Param> param = parseParam();
    if (!param)
      return false;
    if (activation.params.size() == kMaxParams) {
      diags.error(param->nameRange, "'" + activation.name + "' has too many " +
                                        "parameters (at most " +
                                        llvm::Twine(kMaxParams) + ")");
      return false;
    }
    activation.params.push_back(std::move(*param));
  }
  return expectClosing(TokenKind::RParen, TokenKind::LParen, open);
}

/// param = [ "learn" ] NAME "=" [ "-" ] NUMBER ;
std::optional<Param> Parser::parseParam() {
  Param param;
  param.learn = consumeIf(TokenKind::KwLearn);
  if (!cur().is(TokenKind::Name)) {
    diags.error(cur().range, "expected a parameter name");
    return std::nullopt;
  }
  param.name = cur().spelling.str();
  param.nameRange = cur().range;
  consume();

  if (!cur().is(TokenKind::Assign)) {
    if (cur().is(TokenKind::Comma) || cur().is(TokenKind::RParen))
      diags.error(param.nameRange,
                  "parameter '" + param.name + "' needs a default value");
    else
      diags.error(cur().range,
                  "expected '=' after parameter '" + param.name + "'");
    return std::nullopt;
  }
  consume();
  bool negative = consumeIf(TokenKind::Minus);
  if (!cur().is(TokenKind::Number)) {
    diags.error(cur().range,
                "the default value of '" + param.name + "' must be a number");
    return std::nullopt;
  }
  param.defaultValue = negative ? -cur().number : cur().number;
  consume();
  if (!cur().is(TokenKind::Comma) && !cur().is(TokenKind::RParen)) {
    diags.error(cur().range,
                "the default value of '" + param.name + "' must be a number");
    return std::nullopt;
  }
  return param;
}

//===----------------------------------------------------------------------===//
// Expressions, lowest precedence first
//===----------------------------------------------------------------------===//

/// expr = "let" binding { "," binding } "in" expr | cond ;
ExprPtr Parser::parseExpr() {
  NestingScope scope(*this);
  if (scope.tooDeep())
    return nestedTooDeeply(cur().range.Start);
  if (cur().is(TokenKind::KwLet))
    return parseLet();
  return parseCond();
}

/// "let" binding { "," binding } "in" expr, with binding = NAME "=" expr.
ExprPtr Parser::parseLet() {
  llvm::SMLoc start = cur().range.Start;
  consume(); // 'let'
  std::vector<Binding> bindings;
  do {
    if (!cur().is(TokenKind::Name))
      return errorExpected("a name to bind");
    Binding binding;
    binding.name = cur().spelling.str();
    binding.nameRange = cur().range;
    consume();
    if (!expect(TokenKind::Assign, "expected '=' after '" + binding.name + "'"))
      return nullptr;
    binding.value = parseExpr();
    if (!binding.value)
      return nullptr;
    bindings.push_back(std::move(binding));
  } while (consumeIf(TokenKind::Comma));

  if (!expect(TokenKind::KwIn, "expected ',' or 'in' after a let binding"))
    return nullptr;
  ExprPtr body = parseExpr();
  if (!body)
    return nullptr;
  return checkHeight(std::make_unique<LetExpr>(llvm::SMRange(start, lastEnd),
                                               std::move(bindings),
                                               std::move(body)),
                     start);
}

/// cond = or [ "?" expr ":" expr ] ;   (right-associative through expr)
ExprPtr Parser::parseCond() {
  llvm::SMLoc start = cur().range.Start;
  ExprPtr cond = parseOr();
  if (!cond || !cur().is(TokenKind::Question))
    return cond;
  llvm::SMRange question = cur().range;
  consume();
  ExprPtr thenExpr = parseExpr();
  if (!thenExpr ||
      !expectClosing(TokenKind::Colon, TokenKind::Question, question))
    return nullptr;
  ExprPtr elseExpr = parseExpr();
  if (!elseExpr)
    return nullptr;
  return checkHeight(
      std::make_unique<CondExpr>(llvm::SMRange(start, lastEnd), std::move(cond),
                                 std::move(thenExpr), std::move(elseExpr)),
      question.Start);
}

ExprPtr Parser::makeBinary(BinaryOp op, llvm::SMLoc start, llvm::SMLoc opLoc,
                           ExprPtr lhs, ExprPtr rhs) {
  return checkHeight(std::make_unique<BinaryExpr>(llvm::SMRange(start, lastEnd),
                                                  op, opLoc, std::move(lhs),
                                                  std::move(rhs)),
                     opLoc);
}

/// or = and { "||" and } ;
ExprPtr Parser::parseOr() {
  llvm::SMLoc start = cur().range.Start;
  ExprPtr lhs = parseAnd();
  while (lhs && cur().is(TokenKind::PipePipe)) {
    llvm::SMLoc opLoc = cur().range.Start;
    consume();
    ExprPtr rhs = parseAnd();
    if (!rhs)
      return nullptr;
    lhs =
        makeBinary(BinaryOp::Or, start, opLoc, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

/// and = cmp { "&&" cmp } ;
ExprPtr Parser::parseAnd() {
  llvm::SMLoc start = cur().range.Start;
  ExprPtr lhs = parseComparison();
  while (lhs && cur().is(TokenKind::AmpAmp)) {
    llvm::SMLoc opLoc = cur().range.Start;
    consume();
    ExprPtr rhs = parseComparison();
    if (!rhs)
      return nullptr;
    lhs =
        makeBinary(BinaryOp::And, start, opLoc, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

static std::optional<BinaryOp> comparisonOp(TokenKind kind) {
  switch (kind) {
  case TokenKind::Less:
    return BinaryOp::Lt;
  case TokenKind::LessEqual:
    return BinaryOp::Le;
  case TokenKind::Greater:
    return BinaryOp::Gt;
  case TokenKind::GreaterEqual:
    return BinaryOp::Ge;
  case TokenKind::EqualEqual:
    return BinaryOp::Eq;
  case TokenKind::BangEqual:
    return BinaryOp::Ne;
  default:
    return std::nullopt;
  }
}

/// cmp = add [ ( "<" | "<=" | ">" | ">=" | "==" | "!=" ) add ] ;
ExprPtr Parser::parseComparison() {
  llvm::SMLoc start = cur().range.Start;
  ExprPtr lhs = parseAdd();
  if (!lhs)
    return nullptr;
  std::optional<BinaryOp> op = comparisonOp(cur().kind);
  if (!op)
    return lhs;
  llvm::SMLoc opLoc = cur().range.Start;
  consume();
  ExprPtr rhs = parseAdd();
  if (!rhs)
    return nullptr;
  if (comparisonOp(cur().kind)) {
    diags.error(cur().range, "comparison operators cannot be chained; use "
                             "'&&' to combine comparisons");
    return nullptr;
  }
  return makeBinary(*op, start, opLoc, std::move(lhs), std::move(rhs));
}

/// add = mul { ( "+" | "-" ) mul } ;
ExprPtr Parser::parseAdd() {
  llvm::SMLoc start = cur().range.Start;
  ExprPtr lhs = parseMul();
  while (lhs && (cur().is(TokenKind::Plus) || cur().is(TokenKind::Minus))) {
    BinaryOp op = cur().is(TokenKind::Plus) ? BinaryOp::Add : BinaryOp::Sub;
    llvm::SMLoc opLoc = cur().range.Start;
    consume();
    ExprPtr rhs = parseMul();
    if (!rhs)
      return nullptr;
    lhs = makeBinary(op, start, opLoc, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

/// mul = unary { ( "*" | "/" ) unary } ;
ExprPtr Parser::parseMul() {
  llvm::SMLoc start = cur().range.Start;
  ExprPtr lhs = parseUnary();
  while (lhs && (cur().is(TokenKind::Star) || cur().is(TokenKind::Slash))) {
    BinaryOp op = cur().is(TokenKind::Star) ? BinaryOp::Mul : BinaryOp::Div;
    llvm::SMLoc opLoc = cur().range.Start;
    consume();
    ExprPtr rhs = parseUnary();
    if (!rhs)
      return nullptr;
    lhs = makeBinary(op, start, opLoc, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

/// unary = ( "-" | "!" ) unary | power ;
ExprPtr Parser::parseUnary() {
  if (!cur().is(TokenKind::Minus) && !cur().is(TokenKind::Bang))
    return parsePower();
  NestingScope scope(*this);
  llvm::SMLoc start = cur().range.Start;
  if (scope.tooDeep())
    return nestedTooDeeply(start);
  UnaryOp op = cur().is(TokenKind::Minus) ? UnaryOp::Neg : UnaryOp::Not;
  consume();
  ExprPtr operand = parseUnary();
  if (!operand)
    return nullptr;
  return checkHeight(std::make_unique<UnaryExpr>(llvm::SMRange(start, lastEnd),
                                                 op, std::move(operand)),
                     start);
}

/// power = primary [ "^" unary ] ;   so -x^2 is -(x^2) and 2^-x is allowed.
ExprPtr Parser::parsePower() {
  llvm::SMLoc start = cur().range.Start;
  ExprPtr base = parsePrimary();
  if (!base || !cur().is(TokenKind::Caret))
    return base;
  NestingScope scope(*this);
  llvm::SMLoc opLoc = cur().range.Start;
  if (scope.tooDeep())
    return nestedTooDeeply(opLoc);
  consume();
  ExprPtr exponent = parseUnary();
  if (!exponent)
    return nullptr;
  return makeBinary(BinaryOp::Pow, start, opLoc, std::move(base),
                    std::move(exponent));
}

/// primary = NUMBER | NAME | call | "(" expr ")" ;
ExprPtr Parser::parsePrimary() {
  const Token &token = cur();
  switch (token.kind) {
  case TokenKind::Number: {
    auto number = std::make_unique<NumberExpr>(token.range, token.number);
    consume();
    return number;
  }
  case TokenKind::Name: {
    if (lexer.peekNextToken().is(TokenKind::LParen))
      return parseCall();
    auto name = std::make_unique<NameExpr>(token.range, token.spelling.str());
    consume();
    return name;
  }
  case TokenKind::LParen:
    return parseParenExpr();
  default:
    return errorExpected("expression");
  }
}

/// "(" expr ")"
ExprPtr Parser::parseParenExpr() {
  llvm::SMRange open = cur().range;
  consume();
  ExprPtr inner = parseExpr();
  if (!inner || !expectClosing(TokenKind::RParen, TokenKind::LParen, open))
    return nullptr;
  return inner;
}

/// call = NAME "(" [ arg { "," arg } ] ")" ;  arg = expr | NAME "=" expr ;
ExprPtr Parser::parseCall() {
  std::string callee = cur().spelling.str();
  llvm::SMRange calleeRange = cur().range;
  consume();
  llvm::SMRange open = cur().range;
  consume(); // '('

  std::vector<ExprPtr> args;
  std::vector<NamedArg> namedArgs;
  if (!cur().is(TokenKind::RParen)) {
    do {
      if (cur().is(TokenKind::Name) &&
          lexer.peekNextToken().is(TokenKind::Assign)) {
        NamedArg arg;
        arg.name = cur().spelling.str();
        arg.nameRange = cur().range;
        consume();
        consume(); // '='
        arg.value = parseExpr();
        if (!arg.value)
          return nullptr;
        namedArgs.push_back(std::move(arg));
        continue;
      }
      llvm::SMLoc argStart = cur().range.Start;
      ExprPtr arg = parseExpr();
      if (!arg)
        return nullptr;
      if (!namedArgs.empty()) {
        diags.error(llvm::SMRange(argStart, lastEnd),
                    "positional arguments must come before named arguments");
        return nullptr;
      }
      args.push_back(std::move(arg));
    } while (consumeIf(TokenKind::Comma));
  }
  if (!expectClosing(TokenKind::RParen, TokenKind::LParen, open))
    return nullptr;
  return checkHeight(
      std::make_unique<CallExpr>(llvm::SMRange(calleeRange.Start, lastEnd),
                                 std::move(callee), calleeRange,
                                 std::move(args), std::move(namedArgs)),
      calleeRange.Start);
}
