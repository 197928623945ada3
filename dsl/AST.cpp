// Queries over the AST: operator spellings and name lookups.
#include "dsl/AST.h"

using namespace act;

llvm::StringRef act::spelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::Pow:
    return "^";
  case BinaryOp::Lt:
    return "<";
  case BinaryOp::Le:
    return "<=";
  case BinaryOp::Gt:
    return ">";
  case BinaryOp::Ge:
    return ">=";
  case BinaryOp::Eq:
    return "==";
  case BinaryOp::Ne:
    return "!=";
  case BinaryOp::And:
    return "&&";
  case BinaryOp::Or:
    return "||";
  }
  return "?";
}

std::optional<unsigned> Activation::findParam(llvm::StringRef name) const {
  for (unsigned i = 0, e = params.size(); i != e; ++i)
    if (params[i].name == name)
      return i;
  return std::nullopt;
}

std::vector<const File *> Program::mainFiles() const {
  std::vector<const File *> mains;
  for (const auto &file : files)
    if (file->isMain)
      mains.push_back(file.get());
  return mains;
}

const Activation *Program::lookup(llvm::StringRef name) const {
  for (const std::unique_ptr<File> &file : files)
    for (const std::unique_ptr<Activation> &activation : file->activations)
      if (activation->name == name)
        return activation.get();
  return nullptr;
}

std::vector<const Activation *> Program::allActivations() const {
  std::vector<const Activation *> result;
  for (const std::unique_ptr<File> &file : files)
    for (const std::unique_ptr<Activation> &activation : file->activations)
      result.push_back(activation.get());
  return result;
}
