// Parsing and checking the manifest with llvm::json.
#include "runtime/Manifest.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cctype>

using namespace act::runtime;
namespace json = llvm::json;

const std::vector<std::string> &act::runtime::knownKernelNames() {
  static const std::vector<std::string> names = {
#define ACTC_KERNEL_NAME(KIND, name, ARGS, GRADIENTS) #name,
      ACTC_KERNEL_KINDS(ACTC_KERNEL_NAME)
#undef ACTC_KERNEL_NAME
  };
  return names;
}

namespace {

/// Reads one manifest, remembering where it came from for the messages.
class ManifestReader {
public:
  explicit ManifestReader(llvm::StringRef origin) : origin(origin) {}

  llvm::Expected<Manifest> read(llvm::StringRef text) {
    json::Value root = nullptr;
    if (llvm::Expected<json::Value> parsed = json::parse(text))
      root = std::move(*parsed);
    else
      return fail("its manifest is not valid JSON (" +
                  llvm::toString(parsed.takeError()) + ")");
    const json::Object *object = root.getAsObject();
    if (!object)
      return fail("its manifest is not a JSON object");

    Manifest manifest;
    auto abi = object->getInteger("abi_version");
    if (!abi)
      return fail("its manifest has no integer 'abi_version'");
    manifest.abiVersion = *abi;
    if (*abi != ACTC_ABI_VERSION)
      return fail("it was built for ABI version " + std::to_string(*abi) +
                  ", this runtime reads version " +
                  std::to_string(ACTC_ABI_VERSION) +
                  "; rebuild it with this actc (actc --emit=plugin)");
    if (!readString(*object, "actc_version", manifest.actcVersion) ||
        !readString(*object, "source", manifest.source) ||
        !readStrings(*object, "targets", manifest.targets))
      return takeError();
    if (const json::Value *cuda = object->get("cuda_target");
        cuda && cuda->kind() != json::Value::Null) {
      auto target = cuda->getAsString();
      if (!target)
        return fail(
            "its manifest's 'cuda_target' is neither null nor a string");
      manifest.cudaTarget = target->str();
    }

    const json::Array *activations = object->getArray("activations");
    if (!activations)
      return fail("its manifest has no 'activations' array");
    llvm::StringSet<> seen;
    for (const json::Value &value : *activations) {
      ManifestEntry entry;
      if (!readEntry(value, entry))
        return takeError();
      if (!seen.insert(entry.name).second)
        return fail("its manifest lists activation '" + entry.name + "' twice");
      manifest.activations.push_back(std::move(entry));
    }
    return manifest;
  }

private:
  std::string origin;
  std::string message;

  llvm::Error fail(const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "'" + origin + "': " + why);
  }
  bool report(const llvm::Twine &why) {
    message = why.str();
    return false;
  }
  llvm::Error takeError() { return fail(message); }

  static bool isIdentifier(llvm::StringRef name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
      return false;
    return llvm::all_of(name, [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
  }

  bool readString(const json::Object &object, llvm::StringRef key,
                  std::string &out, llvm::StringRef where = "its manifest") {
    auto value = object.getString(key);
    if (!value)
      return report(where + " has no string '" + key + "'");
    out = value->str();
    return true;
  }

  bool readStrings(const json::Object &object, llvm::StringRef key,
                   std::vector<std::string> &out,
                   llvm::StringRef where = "its manifest") {
    const json::Array *array = object.getArray(key);
    if (!array)
      return report(where + " has no array '" + key + "'");
    for (const json::Value &value : *array) {
      auto text = value.getAsString();
      if (!text)
        return report(where + "'s '" + key + "' holds a non-string");
      out.push_back(text->str());
    }
    return true;
  }

  bool readKernels(const json::Object &object, llvm::StringRef key,
                   std::vector<std::string> &out, const std::string &where) {
    if (!readStrings(object, key, out, where))
      return false;
    for (const std::string &kernel : out)
      if (!llvm::is_contained(knownKernelNames(), kernel))
        return report(where + " lists an unknown kernel '" + kernel +
                      "' (known: " + llvm::join(knownKernelNames(), ", ") +
                      ")");
    return true;
  }

  bool readParam(const json::Value &value, ActivationParam &param,
                 const std::string &where) {
    const json::Object *object = value.getAsObject();
    if (!object)
      return report(where + " has a parameter that is not an object");
    if (!readString(*object, "name", param.name, "a parameter of " + where))
      return false;
    std::string paramWhere = "parameter '" + param.name + "' of " + where;
    if (!isIdentifier(param.name))
      return report(paramWhere + " is not an identifier");
    auto defaultValue = object->getNumber("default");
    if (!defaultValue)
      return report(paramWhere + " has no number 'default'");
    param.defaultValue = static_cast<float>(*defaultValue);
    auto learnable = object->getBoolean("learnable");
    if (!learnable)
      return report(paramWhere + " has no boolean 'learnable'");
    param.learnable = *learnable;
    return true;
  }

  bool readEntry(const json::Value &value, ManifestEntry &entry) {
    const json::Object *object = value.getAsObject();
    if (!object)
      return report("its manifest's 'activations' holds a non-object");
    if (!readString(*object, "name", entry.name,
                    "an activation of its manifest"))
      return false;
    std::string where = "activation '" + entry.name + "'";
    if (!isIdentifier(entry.name))
      return report(where + " does not have a C identifier as its name");
    // "doc" is there when the activation has a doc comment.
    if (const json::Value *doc = object->get("doc")) {
      if (!doc->getAsString())
        return report(where + "'s 'doc' is not a string");
      entry.doc = doc->getAsString()->str();
    }
    const json::Array *params = object->getArray("params");
    if (!params)
      return report(where + " has no array 'params'");
    llvm::StringSet<> seen;
    for (const json::Value &paramValue : *params) {
      ActivationParam param;
      if (!readParam(paramValue, param, where))
        return false;
      if (!seen.insert(param.name).second)
        return report(where + " lists parameter '" + param.name + "' twice");
      entry.params.push_back(std::move(param));
    }
    return readKernels(*object, "kernels", entry.kernels, where) &&
           readKernels(*object, "cuda_kernels", entry.cudaKernels, where);
  }
};

} // namespace

llvm::Expected<Manifest> act::runtime::parseManifest(llvm::StringRef json,
                                                     llvm::StringRef origin) {
  return ManifestReader(origin).read(json);
}
