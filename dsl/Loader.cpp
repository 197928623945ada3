// Loads a .act file with its imports into a checked Program.
#include "dsl/Loader.h"
#include "dsl/Diagnostics.h"
#include "dsl/Lexer.h"
#include "dsl/Parser.h"
#include "dsl/Sema.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace act;

/// The name `import "std.act"` resolves to, whatever files lie around.
static constexpr llvm::StringLiteral kStdLibName = "std.act";

/// Source text past this size is refused, not read: .act files people write
/// are kilobytes, and a device (`/dev/zero`) or an endless pipe given as the
/// input would otherwise be read until memory runs out.
static constexpr size_t kMaxSourceMiB = 16;
static constexpr size_t kMaxSourceSize = kMaxSourceMiB << 20;

/// Reads `file` to its end into a buffer called `name`. On a read error, or
/// past kMaxSourceSize bytes, returns null and sets `error` to
/// "cannot read SUBJECT: why".
static std::unique_ptr<llvm::MemoryBuffer>
readSource(llvm::sys::fs::file_t file, llvm::StringRef name,
           const llvm::Twine &subject, std::string &error) {
  constexpr size_t kChunkSize = 64 << 10;
  llvm::SmallVector<char, 0> text;
  while (true) {
    size_t size = text.size();
    text.resize(size + kChunkSize);
    llvm::Expected<size_t> bytesRead = llvm::sys::fs::readNativeFile(
        file, llvm::makeMutableArrayRef(text.data() + size, kChunkSize));
    if (!bytesRead) {
      error = ("cannot read " + subject + ": " +
               llvm::toString(bytesRead.takeError()))
                  .str();
      return nullptr;
    }
    text.resize(size + *bytesRead);
    if (*bytesRead == 0)
      break;
    if (text.size() > kMaxSourceSize) {
      error = ("cannot read " + subject + ": it is larger than " +
               llvm::Twine(kMaxSourceMiB) + " MiB")
                  .str();
      return nullptr;
    }
  }
  return llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(text.data(), text.size()), name);
}

/// Opens and reads `path`; on failure `error` is "cannot open SUBJECT: why"
/// or as readSource says.
static std::unique_ptr<llvm::MemoryBuffer>
readSourceFile(llvm::StringRef path, const llvm::Twine &subject,
               std::string &error) {
  llvm::Expected<llvm::sys::fs::file_t> file =
      llvm::sys::fs::openNativeFileForRead(path);
  if (!file) {
    error = ("cannot open " + subject + ": " + llvm::toString(file.takeError()))
                .str();
    return nullptr;
  }
  std::unique_ptr<llvm::MemoryBuffer> buffer =
      readSource(*file, path, subject, error);
  llvm::sys::fs::closeFile(*file);
  return buffer;
}

namespace {

class Loader {
public:
  explicit Loader(DiagnosticEngine &diags)
      : diags(diags), sourceMgr(diags.getSourceMgr()),
        errorsBefore(diags.errorCount()) {}

  /// Loads a main file (`key` its real path when it is on disk) and
  /// everything it imports; a file already imported becomes a main file.
  void loadMain(std::unique_ptr<llvm::MemoryBuffer> buffer,
                llvm::StringRef key, bool onDisk);

  /// Checks the program loaded so far; null when any error was reported.
  std::unique_ptr<Program> check();

private:
  void loadFile(std::unique_ptr<llvm::MemoryBuffer> buffer,
                llvm::StringRef key, bool onDisk);
  void loadImport(const Import &import, llvm::StringRef importerPath);
  void loadStandardLibrary();
  bool isCycle(const Import &import, llvm::StringRef key);

  DiagnosticEngine &diags;
  llvm::SourceMgr &sourceMgr;
  unsigned errorsBefore;
  std::unique_ptr<Program> program = std::make_unique<Program>();

  /// Each file is loaded once, however often it is imported; files are keyed
  /// by their real path.
  enum class LoadState { InProgress, Done };
  llvm::StringMap<LoadState> loadStates;
  llvm::StringMap<File *> loadedFiles;
  /// The files being loaded, each importing the next: (key, path).
  std::vector<std::pair<std::string, std::string>> importStack;

  llvm::StringSet<> brokenActivations;
  bool importMissing = false;
};

} // namespace

void Loader::loadMain(std::unique_ptr<llvm::MemoryBuffer> buffer,
                      llvm::StringRef key, bool onDisk) {
  if (!loadStates.count(key))
    loadFile(std::move(buffer), key, onDisk);
  loadedFiles[key]->isMain = true;
}

std::unique_ptr<Program> Loader::check() {
  // Without an imported file, most of its importer's calls would be reported
  // as unknown functions: one error for the import says it better.
  if (!importMissing)
    checkProgram(*program, brokenActivations, diags);
  if (diags.errorCount() != errorsBefore)
    return nullptr;
  return std::move(program);
}

/// Parses one file, then (depth-first) the files it imports, and appends it to
/// the program after them.
void Loader::loadFile(std::unique_ptr<llvm::MemoryBuffer> buffer,
                      llvm::StringRef key, bool onDisk) {
  std::string path = buffer->getBufferIdentifier().str();
  unsigned bufferId =
      sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  loadStates[key] = LoadState::InProgress;
  importStack.emplace_back(key.str(), path);

  Lexer lexer(sourceMgr.getMemoryBuffer(bufferId)->getBuffer(), diags);
  Parser parser(lexer, bufferId, diags);
  std::unique_ptr<File> file = parser.parseFile();
  file->path = path;
  if (onDisk)
    file->realPath = key.str();
  loadedFiles[key] = file.get();
  for (const auto &name : parser.getBrokenActivations())
    brokenActivations.insert(name.getKey());
  for (const Import &import : file->imports)
    loadImport(import, path);

  importStack.pop_back();
  loadStates[key] = LoadState::Done;
  program->files.push_back(std::move(file));
}

void Loader::loadImport(const Import &import, llvm::StringRef importerPath) {
  if (import.path == kStdLibName)
    return loadStandardLibrary();

  llvm::SmallString<256> path;
  if (!llvm::sys::path::is_absolute(import.path))
    path = llvm::sys::path::parent_path(importerPath);
  llvm::sys::path::append(path, import.path);
  if (!llvm::sys::fs::exists(path)) {
    diags.error(import.pathRange,
                "cannot find imported file '" + import.path + "'");
    importMissing = true;
    return;
  }
  if (llvm::sys::fs::is_directory(path)) {
    diags.error(import.pathRange,
                "imported file '" + import.path + "' is a directory");
    importMissing = true;
    return;
  }
  // A device or a pipe would block or never end; only files can be imported.
  if (!llvm::sys::fs::is_regular_file(path)) {
    diags.error(import.pathRange,
                "imported file '" + import.path + "' is not a regular file");
    importMissing = true;
    return;
  }

  llvm::SmallString<256> key;
  if (llvm::sys::fs::real_path(path, key))
    key = path;
  if (isCycle(import, key) || loadStates.count(key))
    return;
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> buffer =
      readSourceFile(path, "imported file '" + import.path + "'", error);
  if (!buffer) {
    diags.error(import.pathRange, error);
    importMissing = true;
    return;
  }
  loadFile(std::move(buffer), key, /*onDisk=*/true);
}

void Loader::loadStandardLibrary() {
  // Angle brackets: no real path of a file can be this key.
  llvm::StringRef key = "<std.act>";
  if (loadStates.count(key))
    return;
  loadFile(
      llvm::MemoryBuffer::getMemBuffer(standardLibrarySource(), kStdLibName),
      key, /*onDisk=*/false);
}

/// Reports an import of a file that is still being loaded: the importer
/// itself, or a file further up the chain of imports.
bool Loader::isCycle(const Import &import, llvm::StringRef key) {
  auto it = loadStates.find(key);
  if (it == loadStates.end() || it->second != LoadState::InProgress)
    return false;
  if (importStack.back().first == key) {
    diags.error(import.pathRange,
                "'" + importStack.back().second + "' imports itself");
    return true;
  }
  auto first = llvm::find_if(
      importStack, [&](const auto &entry) { return entry.first == key; });
  std::string chain = "import cycle: ";
  for (auto entry = first; entry != importStack.end(); ++entry)
    chain += entry->second + " imports ";
  chain += first->second;
  diags.error(import.pathRange, chain);
  return true;
}

/// Reads and loads the main file `path` ("-": standard input), or reports
/// why it cannot.
static void loadMainFile(Loader &loader, llvm::StringRef path,
                         DiagnosticEngine &diags) {
  std::string error;
  if (path == "-") {
    std::unique_ptr<llvm::MemoryBuffer> buffer = readSource(
        llvm::sys::fs::getStdinHandle(), "<stdin>", "standard input", error);
    if (!buffer)
      return diags.error(error);
    return loader.loadMain(std::move(buffer), "<stdin>", /*onDisk=*/false);
  }
  if (llvm::sys::fs::is_directory(path))
    return diags.error("'" + path + "' is a directory");
  std::unique_ptr<llvm::MemoryBuffer> buffer =
      readSourceFile(path, "'" + path + "'", error);
  if (!buffer)
    return diags.error(error);
  llvm::SmallString<256> key;
  if (llvm::sys::fs::real_path(path, key))
    key = path;
  loader.loadMain(std::move(buffer), key, /*onDisk=*/true);
}

std::unique_ptr<Program>
act::loadProgramFromFiles(llvm::ArrayRef<std::string> paths,
                          DiagnosticEngine &diags) {
  Loader loader(diags);
  for (const std::string &path : paths)
    loadMainFile(loader, path, diags);
  return loader.check();
}

std::unique_ptr<Program> act::loadProgram(llvm::StringRef path,
                                          DiagnosticEngine &diags) {
  return loadProgramFromFiles({path.str()}, diags);
}

std::unique_ptr<Program> act::loadProgramFromSource(llvm::StringRef source,
                                                    llvm::StringRef path,
                                                    DiagnosticEngine &diags) {
  Loader loader(diags);
  loader.loadMain(llvm::MemoryBuffer::getMemBufferCopy(source, path), path,
                  /*onDisk=*/false);
  return loader.check();
}
