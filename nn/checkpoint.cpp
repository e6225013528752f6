// checkpoint.cpp — the safetensors reader and writer, and checkpoints of a
// module and its optimizer built on them. The reader trusts nothing in the file:
// every length and offset is checked against the file size before it is used.
#include "checkpoint.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "atomic_file.hpp"
#include "number_text.hpp"
#include "regular_file.hpp"

namespace xgrad::nn {

namespace fs = std::filesystem;

// Tensor data is copied to and from the file as it sits in memory.
static_assert(std::endian::native == std::endian::little,
              "checkpoint.cpp writes float32 data as it is in memory; safetensors needs little-endian");

namespace {

// "load_checkpoint(ckpt/gen.safetensors): " — the start of every message.
std::string prefix(const char* who, const fs::path& path) { return std::string(who) + "(" + path.string() + "): "; }

// "" if every value of t is finite, else e.g. "holds nan (element 3)": a checkpoint
// holds finite numbers only, so a NaN can neither be saved nor come back.
std::string non_finite(const Tensor& t) {
    const float* v = t.value().data();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (!std::isfinite(v[i]))
            return std::string("holds ") + (std::isnan(v[i]) ? "nan" : v[i] > 0 ? "inf" : "-inf") + " (element " +
                   std::to_string(i) + ")";
    return "";
}

// ---------------------------------------------------------------- writing

// Header then each tensor's data, straight from memory (no copy into one buffer),
// through the atomic write of atomic_file.hpp.
void write_atomically(const fs::path& path, const std::string& header, const NamedTensors& tensors,
                      const std::string& where) {
    std::vector<std::string_view> pieces{header};
    for (const auto& [name, t] : tensors)
        pieces.emplace_back(reinterpret_cast<const char*>(t.value().data()), t.size() * sizeof(float));
    write_file_atomically(path, pieces, where);
}

void write_impl(const fs::path& path, const NamedTensors& tensors, const Metadata& metadata, const char* who) {
    const std::string where = prefix(who, path);
    // The header: metadata first, then the tensors in the order given, back to back.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::set<std::string> names;
    std::uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        if (name.empty()) throw std::invalid_argument(where + "a tensor has an empty name");
        if (name == "__metadata__") throw std::invalid_argument(where + "__metadata__ cannot name a tensor");
        if (!names.insert(name).second) throw std::invalid_argument(where + "two tensors are named " + name);
        if (!t.defined()) throw std::invalid_argument(where + "tensor " + name + " is empty (no value)");
        if (const std::string bad = non_finite(t); !bad.empty())
            throw std::invalid_argument(where + "tensor " + name + " " + bad + "; not saved");
        const std::uint64_t bytes = t.size() * sizeof(float);
        header[name] = {{"dtype", "F32"},
                        {"shape", std::vector<std::size_t>(t.shape().begin(), t.shape().end())},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - (8 + text.size()) % 8) % 8, ' ');  // the data starts 8-byte aligned

    // 8-byte little-endian length, then the JSON.
    std::string head(8, '\0');
    for (int i = 0; i < 8; ++i) head[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    write_atomically(path, head + text, tensors, where);
}

// ---------------------------------------------------------------- reading

struct Entry {
    std::string name;
    Shape shape;
    std::uint64_t begin = 0, end = 0;
};

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// The header of a real checkpoint is a few kilobytes; a longer one is refused
// before it is read into memory.
constexpr std::uint64_t max_header_bytes = std::uint64_t{100} << 20;  // 100 MiB

// n bytes from f, or a runtime_error (the size was checked, so a short read means the file changed).
void read_exact(std::FILE* f, void* out, std::size_t n, const std::string& where) {
    if (n > 0 && std::fread(out, 1, n, f) != n)
        throw std::runtime_error(where + "read failed (" + (std::ferror(f) ? std::strerror(errno) : "file shrank") + ")");
}

// One header entry checked against its rules and the data section size.
Entry parse_entry(const std::string& name, const nlohmann::json& e, std::uint64_t data_size, const std::string& where) {
    const std::string bad = where + "header entry " + name + ": ";
    if (!e.is_object()) throw std::runtime_error(bad + "expected an object, got " + e.type_name());
    for (const char* key : {"dtype", "shape", "data_offsets"})
        if (!e.contains(key)) throw std::runtime_error(bad + "no \"" + key + "\"");

    const auto& dtype = e["dtype"];
    if (!dtype.is_string()) throw std::runtime_error(bad + "dtype must be a string, got " + dtype.type_name());
    if (dtype.get<std::string>() != "F32")
        throw std::runtime_error(where + "unsupported dtype " + dtype.get<std::string>() + " for " + name +
                                 " (only F32)");

    Entry out;
    out.name = name;
    // count = d0 · d1 · ..., guarding against overflow (a hostile shape must not wrap around).
    const auto& shape = e["shape"];
    if (!shape.is_array()) throw std::runtime_error(bad + "shape must be a list of integers, got " + shape.type_name());
    std::uint64_t count = 1;
    const std::uint64_t max_count = std::numeric_limits<std::uint64_t>::max() / sizeof(float);
    for (const auto& d : shape) {
        if (!d.is_number_unsigned())
            throw std::runtime_error(bad + "shape must be a list of integers >= 0, got " + shape.dump());
        const std::uint64_t n = d.get<std::uint64_t>();
        if (n != 0 && count > max_count / n) throw std::runtime_error(bad + "shape " + shape.dump() + " is too large");
        count *= n;
        out.shape.push_back(static_cast<std::size_t>(n));
    }

    const auto& offsets = e["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
        throw std::runtime_error(bad + "data_offsets must be two integers [begin, end], got " + offsets.dump());
    out.begin = offsets[0].get<std::uint64_t>();
    out.end = offsets[1].get<std::uint64_t>();
    if (out.begin > out.end) throw std::runtime_error(bad + "data_offsets " + offsets.dump() + " end before they begin");
    if (out.end > data_size)
        throw std::runtime_error(bad + "data_offsets " + offsets.dump() + " run past the end of the data (" +
                                 std::to_string(data_size) + " bytes)");
    if (out.end - out.begin != count * sizeof(float))
        throw std::runtime_error(bad + "data_offsets " + offsets.dump() + " hold " +
                                 std::to_string(out.end - out.begin) + " bytes but shape " + shape_str(out.shape) +
                                 " of F32 needs " + std::to_string(count * sizeof(float)));
    return out;
}

SafetensorsFile read_impl(const fs::path& path, const char* who) {
    const std::string where = prefix(who, path);

    // The file: a regular file, at least 8 bytes.
    std::uint64_t file_size = 0;
    const int fd = open_regular_file(path, file_size, where);  // a FIFO is refused at once, never waited on
    File f(::fdopen(fd, "rb"), &std::fclose);
    if (!f) {
        const int error = errno;
        ::close(fd);
        throw std::runtime_error(where + "cannot open (" + std::strerror(error) + ")");
    }
    if (file_size < 8)
        throw std::runtime_error(where + "file is " + std::to_string(file_size) +
                                 " bytes long; a safetensors file starts with an 8-byte header length");

    // The header length, little-endian whatever the machine, then the header.
    unsigned char len[8];
    read_exact(f.get(), len, 8, where);
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(len[i]) << (8 * i);
    if (n > file_size - 8)
        throw std::runtime_error(where + "header length " + std::to_string(n) + " runs past the end of the file (" +
                                 std::to_string(file_size - 8) + " bytes follow the length)");
    if (n > max_header_bytes)
        throw std::runtime_error(where + "header length " + std::to_string(n) + " is over this reader's limit of " +
                                 std::to_string(max_header_bytes) + " bytes");
    std::string text(n, '\0');
    read_exact(f.get(), text.data(), n, where);
    const std::uint64_t data_size = file_size - 8 - n;

    // Parse it, noticing a name that appears twice (the JSON library would keep only the last).
    std::string repeated;
    std::set<std::string> keys;
    auto on_event = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (depth == 1 && event == nlohmann::json::parse_event_t::key && !keys.insert(parsed.get<std::string>()).second &&
            repeated.empty())
            repeated = parsed.get<std::string>();
        return true;
    };
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text, on_event);
    } catch (const nlohmann::json::parse_error& e) {
        throw std::runtime_error(where + "header is not valid JSON (error at byte " + std::to_string(e.byte) + " of " +
                                 std::to_string(n) + ")");
    } catch (const nlohmann::json::out_of_range&) {  // found by tests/fuzz/fuzz_checkpoint: 1e999, no double holds it
        throw std::runtime_error(where + "header holds a number too large to read");
    }
    if (!header.is_object()) throw std::runtime_error(where + "header must be a JSON object, got " + header.type_name());
    if (!repeated.empty()) throw std::runtime_error(where + repeated + " appears twice in the header");

    // Check every entry, then that together they tile the data exactly.
    SafetensorsFile out;
    std::vector<Entry> entries;
    for (const auto& [name, e] : header.items()) {
        if (name == "__metadata__") {
            if (!e.is_object())
                throw std::runtime_error(where + "__metadata__ must be an object of strings, got " + e.type_name());
            for (const auto& [key, value] : e.items()) {
                if (!value.is_string())
                    throw std::runtime_error(where + "__metadata__ must map names to strings; " + key + " is a " +
                                             value.type_name());
                out.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        entries.push_back(parse_entry(name, e, data_size, where));
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    std::uint64_t covered = 0;  // the data is covered up to here by the entries so far
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const Entry& e = entries[i];
        if (e.begin < covered)
            throw std::runtime_error(where + "tensors " + entries[i - 1].name + " and " + e.name +
                                     " overlap in the data");
        if (e.begin > covered)
            throw std::runtime_error(where + "bytes " + std::to_string(covered) + " to " + std::to_string(e.begin) +
                                     " of the data belong to no tensor");
        covered = e.end;
    }
    if (covered != data_size)
        throw std::runtime_error(where + "bytes " + std::to_string(covered) + " to " + std::to_string(data_size) +
                                 " of the data belong to no tensor");

    // Everything is known to fit: read the tensors in file order, straight into their arrays.
    for (const Entry& e : entries) {
        Array a = Array::from_shape(e.shape);
        read_exact(f.get(), a.data(), e.end - e.begin, where);
        Tensor t(std::move(a));
        if (const std::string bad = non_finite(t); !bad.empty())
            throw std::runtime_error(where + "tensor " + e.name + " " + bad);
        out.tensors.emplace_back(e.name, std::move(t));
    }
    return out;
}

const std::string optim_prefix = "optim.";

bool is_optim(const std::string& name) { return name.compare(0, optim_prefix.size(), optim_prefix) == 0; }

}  // namespace

void write_safetensors(const fs::path& path, const NamedTensors& tensors, const Metadata& metadata) {
    write_impl(path, tensors, metadata, "write_safetensors");
}

SafetensorsFile read_safetensors(const fs::path& path) { return read_impl(path, "read_safetensors"); }

void save_checkpoint(const fs::path& path, const Module& module, const Optimizer* opt, Metadata metadata) {
    NamedTensors tensors = module.named_parameters();
    for (auto& b : module.named_buffers()) tensors.push_back(std::move(b));
    for (const auto& [key, value] : metadata)
        if (is_optim(key))
            throw std::invalid_argument(prefix("save_checkpoint", path) + "metadata key " + key +
                                        " is reserved (keys starting with \"optim.\" hold the optimizer's state)");
    if (opt != nullptr) {
        for (auto& [name, t] : opt->state()) tensors.emplace_back(optim_prefix + name, std::move(t));
        metadata["optim.type"] = opt->name();
        metadata["optim.step_count"] = std::to_string(opt->step_count());
        metadata["optim.lr"] = float_text(opt->lr());
    }
    write_impl(path, tensors, metadata, "save_checkpoint");
}

Metadata load_checkpoint(const fs::path& path, Module& module, Optimizer* opt) {
    const std::string where = prefix("load_checkpoint", path);
    SafetensorsFile file = read_impl(path, "load_checkpoint");

    // 1. Check: the file's model tensors are exactly the module's, with the same shapes.
    std::map<std::string, const Tensor*> model_in_file;
    NamedTensors optim_state;
    for (const auto& [name, t] : file.tensors) {
        if (is_optim(name))
            optim_state.emplace_back(name.substr(optim_prefix.size()), t);
        else
            model_in_file[name] = &t;
    }
    const NamedTensors params = module.named_parameters(), buffers = module.named_buffers();
    std::set<std::string> expected;
    auto check = [&](const NamedTensors& list, const char* kind) {
        for (const auto& [name, t] : list) {
            expected.insert(name);
            const auto it = model_in_file.find(name);
            if (it == model_in_file.end()) throw std::runtime_error(where + "missing " + kind + " " + name);
            if (it->second->shape() != t.shape())
                throw std::runtime_error(where + "shape mismatch for " + name + ": file " +
                                         shape_str(it->second->shape()) + ", model " + shape_str(t.shape()));
        }
    };
    check(params, "parameter");
    check(buffers, "buffer");
    for (const auto& [name, t] : model_in_file)
        if (!expected.count(name)) throw std::runtime_error(where + "unexpected tensor " + name + " in file");

    // 2. Check the optimizer's part (only if we are to load it).
    std::int64_t step_count = 0;
    float lr = 0.0f;
    if (opt != nullptr) {
        const auto& md = file.metadata;
        if (!md.count("optim.type"))
            throw std::runtime_error(where + "no optimizer state in file (it was saved without an optimizer)");
        if (md.at("optim.type") != opt->name())
            throw std::runtime_error(where + "the optimizer state is for " + md.at("optim.type") + ", not " +
                                     opt->name());
        if (!md.count("optim.step_count") || !parse_whole(md.at("optim.step_count"), step_count))
            throw std::runtime_error(where + "metadata optim.step_count is missing or not an integer");
        if (step_count > max_step_count)
            throw std::runtime_error(where + "metadata optim.step_count " + md.at("optim.step_count") +
                                     " is over the limit of " + std::to_string(max_step_count) + " (2^53)");
        if (!md.count("optim.lr") || !parse_whole(md.at("optim.lr"), lr))
            throw std::runtime_error(where + "metadata optim.lr is missing or not a number");
        try {
            opt->check_state(optim_state, step_count, lr);
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(where + "optimizer state: " + e.what());
        }
    }

    // 3. All checked: copy the values in (into the existing arrays, so every handle sees them).
    for (const NamedTensors* list : {&params, &buffers})
        for (auto [name, t] : *list) {
            const Array& src = model_in_file.at(name)->value();
            std::copy_n(src.data(), src.size(), t.mutable_value().data());
        }
    if (opt != nullptr) opt->load_state(optim_state, step_count, lr);
    return file.metadata;
}

}  // namespace xgrad::nn
