// Semantic checks of a parsed program: names, calls, definitions, recursion.
#include "dsl/Sema.h"
#include "dsl/Builtins.h"
#include "dsl/Diagnostics.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Casting.h"

using namespace act;

/// Calls to activations nest at most this deep: an activation without calls
/// is at depth 1, one that calls it at 2, and so on. Later stages inline calls
/// recursively; this keeps that recursion as bounded as the parser keeps the
/// expressions. Real programs nest a handful of calls.
static constexpr unsigned kMaxCallDepth = 64;

/// An activation may grow to at most this many operations once its calls are
/// inlined: `f2(x) = f1(f1(x))`, `f3(x) = f2(f2(x))`, ... doubles at each
/// step and would otherwise hang the compiler. Real activations stay in the
/// hundreds.
static constexpr uint64_t kMaxInlinedSize = 1000000;

namespace {

class Sema {
public:
  Sema(const Program &program, const llvm::StringSet<> &brokenActivations,
       DiagnosticEngine &diags)
      : program(program), brokenActivations(brokenActivations), diags(diags) {}

  void run();

private:
  void collectActivations();
  void checkActivation(const Activation &activation);
  void checkParams(const Activation &activation);
  void checkExpr(const Expr &expr);
  void checkName(const NameExpr &name);
  void checkLet(const LetExpr &let);
  void checkCall(const CallExpr &call);
  void checkBuiltinCall(const CallExpr &call, const BuiltinInfo &builtin);
  void checkActivationCall(const CallExpr &call, const Activation &callee);
  void checkNamedArgs(const CallExpr &call, const Activation &callee);

  bool isVisible(llvm::StringRef name) const;
  std::vector<llvm::StringRef> visibleNames() const;

  void checkCallGraph();
  void visit(const Activation &activation);
  void reportRecursion(const CallExpr &call, const Activation &callee);
  void reportDeepCalls(const CallExpr &call);

  const Program &program;
  const llvm::StringSet<> &brokenActivations;
  DiagnosticEngine &diags;

  /// The first definition of each activation name; later ones are errors.
  llvm::StringMap<const Activation *> activations;
  std::vector<llvm::StringRef> functionNames;

  // The activation being checked and its names in scope.
  const Activation *current = nullptr;
  bool inGrad = false;
  llvm::SmallVector<llvm::StringRef, 8> letNames;
  /// How often each name is in `letNames`: a lookup per name must not scan
  /// a let of thousands of bindings.
  llvm::StringMap<unsigned> letNameCounts;

  /// The calls of each activation to other activations, in source order.
  llvm::DenseMap<const Activation *, std::vector<const CallExpr *>> callees;

  enum class VisitState { InProgress, Done };
  llvm::DenseMap<const Activation *, VisitState> visitState;
  llvm::DenseMap<const Activation *, uint64_t> inlinedSize;
  /// The depth of the deepest chain of calls from each activation down.
  llvm::DenseMap<const Activation *, unsigned> callDepth;
  /// The call edges from the activation where the walk started down to the
  /// one being visited: (caller, call).
  std::vector<std::pair<const Activation *, const CallExpr *>> callStack;
  bool reportedDeepCalls = false;
  bool reportedLargeActivation = false;
};

} // namespace

bool act::checkProgram(const Program &program,
                       const llvm::StringSet<> &brokenActivations,
                       DiagnosticEngine &diags) {
  unsigned errorsBefore = diags.errorCount();
  Sema(program, brokenActivations, diags).run();
  return diags.errorCount() == errorsBefore;
}

void Sema::run() {
  collectActivations();
  for (const Activation *activation : program.allActivations())
    checkActivation(*activation);
  checkCallGraph();
}

void Sema::collectActivations() {
  for (const BuiltinInfo &builtin : builtins())
    functionNames.push_back(builtin.name);
  for (const Activation *activation : program.allActivations())
    if (activations.try_emplace(activation->name, activation).second)
      functionNames.push_back(activation->name);
}

//===----------------------------------------------------------------------===//
// Definitions
//===----------------------------------------------------------------------===//

void Sema::checkActivation(const Activation &activation) {
  const Activation *first = activations.lookup(activation.name);
  if (first != &activation) {
    diags.error(activation.nameRange,
                "redefinition of '" + activation.name + "'");
    diags.note(first->nameRange, "previous definition is here");
  }
  checkParams(activation);

  current = &activation;
  inGrad = false;
  checkExpr(*activation.body);
  if (activation.grad) {
    inGrad = true;
    checkExpr(*activation.grad);
  }
}

void Sema::checkParams(const Activation &activation) {
  for (unsigned i = 0, e = activation.params.size(); i != e; ++i) {
    const Param &param = activation.params[i];
    llvm::SMRange previous;
    if (param.name == activation.input)
      previous = activation.inputRange;
    for (unsigned j = 0; j != i && !previous.isValid(); ++j)
      if (activation.params[j].name == param.name)
        previous = activation.params[j].nameRange;
    if (!previous.isValid())
      continue;
    diags.error(param.nameRange,
                "redefinition of parameter '" + param.name + "'");
    diags.note(previous, "previous definition is here");
  }
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

void Sema::checkExpr(const Expr &expr) {
  if (const auto *name = llvm::dyn_cast<NameExpr>(&expr))
    return checkName(*name);
  if (const auto *unary = llvm::dyn_cast<UnaryExpr>(&expr))
    return checkExpr(unary->getOperand());
  if (const auto *binary = llvm::dyn_cast<BinaryExpr>(&expr)) {
    checkExpr(binary->getLHS());
    return checkExpr(binary->getRHS());
  }
  if (const auto *cond = llvm::dyn_cast<CondExpr>(&expr)) {
    checkExpr(cond->getCond());
    checkExpr(cond->getThen());
    return checkExpr(cond->getElse());
  }
  if (const auto *let = llvm::dyn_cast<LetExpr>(&expr))
    return checkLet(*let);
  if (const auto *call = llvm::dyn_cast<CallExpr>(&expr))
    return checkCall(*call);
}

bool Sema::isVisible(llvm::StringRef name) const {
  return letNameCounts.lookup(name) != 0 || name == current->input ||
         current->findParam(name) || (inGrad && name == "y") ||
         lookupNamedConstant(name);
}

std::vector<llvm::StringRef> Sema::visibleNames() const {
  std::vector<llvm::StringRef> names(letNames.rbegin(), letNames.rend());
  names.push_back(current->input);
  for (const Param &param : current->params)
    names.push_back(param.name);
  if (inGrad)
    names.push_back("y");
  names.insert(names.end(), {"pi", "inf", "nan"});
  return names;
}

void Sema::checkName(const NameExpr &name) {
  if (isVisible(name.getName()))
    return;
  std::string message = ("unknown name '" + name.getName() + "'").str();
  // Suggestions are looked for only for printed errors: among thousands of
  // names, for thousands of unknown ones, the search would take minutes.
  llvm::StringRef suggestion;
  if (diags.printsNextError())
    suggestion = closestMatch(name.getName(), visibleNames());
  if (name.getName() == "y")
    message += "; the result 'y' can only be used in a 'grad' clause";
  else if (!suggestion.empty())
    message += ("; did you mean '" + suggestion + "'?").str();
  diags.error(name.getRange(), message);
}

void Sema::checkLet(const LetExpr &let) {
  const std::vector<Binding> &bindings = let.getBindings();
  llvm::StringMap<const Binding *> firstBindings;
  for (const Binding &binding : bindings) {
    checkExpr(*binding.value);
    auto [first, isFirst] = firstBindings.try_emplace(binding.name, &binding);
    if (!isFirst) {
      diags.error(binding.nameRange,
                  "redefinition of let binding '" + binding.name + "'");
      diags.note(first->second->nameRange, "previous definition is here");
    }
    letNames.push_back(binding.name);
    ++letNameCounts[binding.name];
  }
  checkExpr(let.getBody());
  for (const Binding &binding : bindings)
    --letNameCounts[binding.name];
  letNames.resize(letNames.size() - bindings.size());
}

/// "1 argument", "2 arguments".
static std::string arguments(size_t count) {
  return std::to_string(count) + (count == 1 ? " argument" : " arguments");
}

/// "1 was given", "2 were given".
static std::string given(size_t count) {
  return std::to_string(count) + (count == 1 ? " was given" : " were given");
}

void Sema::checkCall(const CallExpr &call) {
  for (const ExprPtr &arg : call.getArgs())
    checkExpr(*arg);
  for (const NamedArg &arg : call.getNamedArgs())
    checkExpr(*arg.value);

  llvm::StringRef name = call.getCallee();
  // Built-ins come first, so std.act's `act tanh(x) = tanh(x)` is no
  // recursion.
  if (const BuiltinInfo *builtin = lookupBuiltin(name))
    return checkBuiltinCall(call, *builtin);
  if (const Activation *callee = activations.lookup(name))
    return checkActivationCall(call, *callee);
  if (brokenActivations.contains(name))
    return;
  if (isVisible(name)) {
    diags.error(call.getCalleeRange(), "'" + name + "' is not a function");
    return;
  }
  std::string message = ("unknown function '" + name + "'").str();
  llvm::StringRef suggestion;
  if (diags.printsNextError())
    suggestion = closestMatch(name, functionNames);
  if (!suggestion.empty())
    message += ("; did you mean '" + suggestion + "'?").str();
  diags.error(call.getCalleeRange(), message);
}

void Sema::checkBuiltinCall(const CallExpr &call, const BuiltinInfo &builtin) {
  if (!call.getNamedArgs().empty())
    diags.error(call.getNamedArgs().front().nameRange,
                "built-in function '" + builtin.name +
                    "' takes no named arguments");
  size_t count = call.getArgs().size() + call.getNamedArgs().size();
  if (count == builtin.arity)
    return;
  diags.error(call.getCalleeRange(), "'" + builtin.name + "' takes " +
                                         arguments(builtin.arity) + ", but " +
                                         given(count));
}

void Sema::checkActivationCall(const CallExpr &call, const Activation &callee) {
  callees[current].push_back(&call);
  const std::vector<ExprPtr> &args = call.getArgs();
  size_t maxArgs = 1 + callee.params.size();
  bool inputByName =
      llvm::any_of(call.getNamedArgs(), [&](const NamedArg &arg) {
        return arg.name == callee.input;
      });
  if (args.empty() && !inputByName) {
    diags.error(call.getCalleeRange(),
                "'" + callee.name + "' needs the input as its first argument");
    diags.note(callee.nameRange, "'" + callee.name + "' is defined here");
  } else if (args.size() > maxArgs) {
    std::string takes =
        callee.params.empty() ? arguments(1) : "at most " + arguments(maxArgs);
    diags.error(args[maxArgs]->getRange(), "'" + callee.name + "' takes " +
                                               takes + ", but " +
                                               given(args.size()));
    diags.note(callee.nameRange, "'" + callee.name + "' is defined here");
  }
  checkNamedArgs(call, callee);
}

void Sema::checkNamedArgs(const CallExpr &call, const Activation &callee) {
  const std::vector<ExprPtr> &args = call.getArgs();
  const std::vector<NamedArg> &namedArgs = call.getNamedArgs();
  llvm::StringMap<const NamedArg *> firstGiven;
  for (const NamedArg &arg : namedArgs) {
    if (arg.name == callee.input) {
      diags.error(arg.nameRange, "the input '" + arg.name + "' of '" +
                                     callee.name +
                                     "' must be the first argument, not a "
                                     "named one");
      continue;
    }
    std::optional<unsigned> param = callee.findParam(arg.name);
    if (!param) {
      std::vector<llvm::StringRef> names;
      for (const Param &p : callee.params)
        names.push_back(p.name);
      std::string message =
          "'" + callee.name + "' has no parameter '" + arg.name + "'";
      llvm::StringRef suggestion = closestMatch(arg.name, names);
      if (!suggestion.empty())
        message += ("; did you mean '" + suggestion + "'?").str();
      diags.error(arg.nameRange, message);
      diags.note(callee.nameRange, "'" + callee.name + "' is defined here");
      continue;
    }
    if (*param + 1 < args.size()) {
      diags.error(arg.nameRange, "argument '" + arg.name +
                                     "' is given both positionally and by "
                                     "name");
      diags.note(args[*param + 1]->getRange(), "given positionally here");
      continue;
    }
    auto [first, isFirst] = firstGiven.try_emplace(arg.name, &arg);
    if (!isFirst) {
      diags.error(arg.nameRange, "argument '" + arg.name + "' is given twice");
      diags.note(first->second->nameRange, "first given here");
    }
  }
}

//===----------------------------------------------------------------------===//
// The call graph: recursion, call depth, inlined size
//===----------------------------------------------------------------------===//

/// The number of nodes of `expr`.
static uint64_t countNodes(const Expr &expr) {
  if (const auto *unary = llvm::dyn_cast<UnaryExpr>(&expr))
    return 1 + countNodes(unary->getOperand());
  if (const auto *binary = llvm::dyn_cast<BinaryExpr>(&expr))
    return 1 + countNodes(binary->getLHS()) + countNodes(binary->getRHS());
  if (const auto *cond = llvm::dyn_cast<CondExpr>(&expr))
    return 1 + countNodes(cond->getCond()) + countNodes(cond->getThen()) +
           countNodes(cond->getElse());
  if (const auto *let = llvm::dyn_cast<LetExpr>(&expr)) {
    uint64_t count = 1 + countNodes(let->getBody());
    for (const Binding &binding : let->getBindings())
      count += countNodes(*binding.value);
    return count;
  }
  if (const auto *call = llvm::dyn_cast<CallExpr>(&expr)) {
    uint64_t count = 1;
    for (const ExprPtr &arg : call->getArgs())
      count += countNodes(*arg);
    for (const NamedArg &arg : call->getNamedArgs())
      count += countNodes(*arg.value);
    return count;
  }
  return 1;
}

void Sema::checkCallGraph() {
  for (const Activation *activation : program.allActivations())
    if (activations.lookup(activation->name) == activation &&
        !visitState.count(activation))
      visit(*activation);
}

/// Walks the calls below `activation` depth-first, reporting each cycle at
/// the call that closes it, and records the activation's call depth and its
/// size with its calls inlined (its own forward and grad, and both of each
/// callee). Both are memoised, so the depth is checked wherever the walk
/// starts: a chain defined bottom-up is walked one level at a time.
void Sema::visit(const Activation &activation) {
  visitState[&activation] = VisitState::InProgress;
  uint64_t size = countNodes(*activation.body);
  if (activation.grad)
    size += countNodes(*activation.grad);
  unsigned depth = 1;

  for (const CallExpr *call : callees.lookup(&activation)) {
    const Activation *callee = activations.lookup(call->getCallee());
    auto state = visitState.find(callee);
    if (state != visitState.end() && state->second == VisitState::InProgress) {
      reportRecursion(*call, *callee);
      continue;
    }
    if (state == visitState.end()) {
      // The walk itself recurses: stop it before the stack runs out.
      if (callStack.size() + 1 >= kMaxCallDepth) {
        reportDeepCalls(*call);
        continue;
      }
      callStack.emplace_back(&activation, call);
      visit(*callee);
      callStack.pop_back();
    }
    unsigned calleeDepth = callDepth.lookup(callee);
    if (calleeDepth >= kMaxCallDepth)
      reportDeepCalls(*call);
    depth = std::max(depth, std::min(calleeDepth, kMaxCallDepth) + 1);
    size = std::min(size + inlinedSize.lookup(callee), kMaxInlinedSize + 1);
  }

  if (size > kMaxInlinedSize && !reportedLargeActivation) {
    diags.error(activation.nameRange,
                "'" + activation.name +
                    "' is too large once its calls are inlined (more than " +
                    llvm::Twine(kMaxInlinedSize) + " operations)");
    reportedLargeActivation = true;
  }
  inlinedSize[&activation] = size;
  callDepth[&activation] = depth;
  visitState[&activation] = VisitState::Done;
}

void Sema::reportDeepCalls(const CallExpr &call) {
  if (reportedDeepCalls)
    return;
  diags.error(call.getCalleeRange(), "calls are nested too deeply (more than " +
                                         llvm::Twine(kMaxCallDepth) +
                                         " levels)");
  reportedDeepCalls = true;
}

void Sema::reportRecursion(const CallExpr &call, const Activation &callee) {
  diags.error(call.getCalleeRange(), "recursive call to '" + callee.name + "'");
  // For mutual recursion, show the other calls of the cycle.
  auto cycleStart = llvm::find_if(
      callStack, [&](const auto &edge) { return edge.first == &callee; });
  for (auto edge = cycleStart; edge != callStack.end(); ++edge)
    diags.note(edge->second->getCalleeRange(),
               "'" + edge->first->name + "' calls '" +
                   edge->second->getCallee() + "' here");
}
