// checkpoint.hpp — save and load a module (and its optimizer) in the safetensors
// format, which Python (json + numpy, or the safetensors package) reads too.
// Writes are atomic (atomic_file.hpp): a crash or a full disk never
// destroys the previous file. Loads check everything before they change anything.
// Format and a Python reader: docs/checkpoints.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "module.hpp"
#include "optim.hpp"

namespace xgrad::nn {

using Metadata = std::map<std::string, std::string>;

// What a safetensors file holds: tensors (float32, in file order) and string metadata.
struct SafetensorsFile {
    NamedTensors tensors;
    Metadata metadata;
};

// The file layout:
//   8 bytes    N, the header length (unsigned, little-endian)
//   N bytes    JSON: {"__metadata__": {"key": "value", ...},
//                     "<name>": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...}
//              (padded with spaces so the data starts at a multiple of 8 bytes)
//   the rest   the data: each tensor's float32 values, little-endian, row-major, at
//              [begin, end) counted from the start of the data; no gaps, no overlaps.
//
// Writes atomically. std::invalid_argument for bad names (empty, repeated,
// "__metadata__") and for a value that is not finite ("tensor gen.fc1.weight holds
// nan (element 3); not saved": nothing is written); std::runtime_error
// "write_safetensors(<path>): ..." when the file cannot be written (the previous
// file, if any, is left as it was).
void write_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                       const Metadata& metadata = {});

// Reads and checks a whole file; tensors are new leaves that do not require grad.
// std::runtime_error "read_safetensors(<path>): ..." for a missing, truncated or malformed
// file, a dtype other than F32, a header over 100 MiB, or a value that is not finite
// ("tensor gen.fc1.weight holds nan (element 3)": the writer never saves one, so the
// file is damaged). Anything but a regular file (a FIFO, a device, a directory) is
// refused at once, never waited on: "not a regular file (a FIFO)".
// Every checkpoint load (load_checkpoint, the programs' --resume, the judge) reads
// through here, so none of them can receive a NaN or an infinity from a file.
SafetensorsFile read_safetensors(const std::filesystem::path& path);

// The largest optimizer step count a checkpoint may hold: 2^53, the last integer a
// double counts exactly and far beyond any real run, so a count read back can
// never overflow as training goes on.
inline constexpr std::int64_t max_step_count = std::int64_t{1} << 53;

// Save the module's parameters and buffers under their dotted names
// ("gen.fc1.weight"). With an optimizer, also its state under "optim.<state name>"
// ("optim.exp_avg.fc1.weight") and, in the metadata, "optim.type" ("Adam"),
// "optim.step_count" and "optim.lr" (metadata keys starting with "optim." are reserved).
void save_checkpoint(const std::filesystem::path& path, const Module& module, const Optimizer* opt = nullptr,
                     Metadata metadata = {});

// Load what save_checkpoint wrote into a module of the same architecture (and,
// if given, an optimizer of the same type over the same parameter names); returns
// the metadata. Every check runs before anything changes, so a failed load leaves
// the module and optimizer as they were. std::runtime_error "load_checkpoint(<path>): ...":
//   missing parameter gen.fc2.bias / missing buffer bn.running_mean
//   unexpected tensor disc.fc9.weight in file
//   shape mismatch for disc.fc1.weight: file (1024, 794), model (1024, 784)
//   unsupported dtype F16 for gen.fc1.weight (only F32)
//   metadata optim.step_count 9007199254740993 is over the limit of 9007199254740992 (2^53)
// and the file-format errors of read_safetensors. Optimizer state in the file is
// ignored when opt is null.
Metadata load_checkpoint(const std::filesystem::path& path, Module& module, Optimizer* opt = nullptr);

}  // namespace xgrad::nn
