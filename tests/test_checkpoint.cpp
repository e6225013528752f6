// test_checkpoint.cpp — safetensors files: round trips (module, buffers,
// optimizer), the exact bytes of the format, every way a load can fail and its
// message, atomic writes, and reading a saved file from Python.
#include "check.hpp"
#include "files.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

using namespace xgrad;
using namespace xgrad::nn;
using namespace xgrad::testing;

namespace {

// A tiny model written out by hand, so this test depends on no layer file:
// parameters "weight" (2, 3) and "child.bias" (3,), buffers "running_mean" (3,) and "count" ().
struct Child : Module {
    Tensor bias;
    explicit Child(bool zero) { bias = register_parameter("bias", Tensor(zero ? Array{0.f, 0.f, 0.f} : Array{1.f, 2.f, -3.f})); }
};
struct Tiny : Module {
    Tensor weight, running_mean, count;
    std::shared_ptr<Child> child;
    explicit Tiny(bool zero = false) {
        weight = register_parameter(
            "weight", Tensor(zero ? Array{{0.f, 0.f, 0.f}, {0.f, 0.f, 0.f}} : Array{{0.5f, -1.25f, 2.f}, {0.f, 3.75f, -0.125f}}));
        child = register_module("child", std::make_shared<Child>(zero));
        running_mean = register_buffer("running_mean", Tensor(zero ? Array{0.f, 0.f, 0.f} : Array{0.25f, 0.5f, 0.75f}));
        count = register_buffer("count", Tensor::scalar(zero ? 0.f : 5.f));
    }
};

bool same_values(const Module& a, const Module& b) { return same_tensors(module_tensors(a), module_tensors(b)); }

std::string le64(std::uint64_t n) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return s;
}

// A safetensors file with this header and data_bytes bytes of (zero) data.
void write_header(const fs::path& p, const std::string& header, std::size_t data_bytes) {
    write_file(p, le64(header.size()) + header + std::string(data_bytes, '\0'));
}

// Files in dir other than the given one (left-over temporary files).
std::vector<std::string> other_files(const fs::path& dir, const std::string& except) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename() != except) out.push_back(e.path().filename().string());
    return out;
}

// The reader of docs/checkpoints.md, character for character (the test below
// checks that the document still contains exactly this text).
const char* const python_reader = R"PY(import json, struct, sys
import numpy as np

def read_safetensors(path):
    """Return ({name: float32 array}, {key: value}) read from a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])  # header length: unsigned 64-bit little-endian
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        assert entry["dtype"] == "F32", entry["dtype"]
        begin, end = entry["data_offsets"]  # counted from the start of the data, 8 + n
        raw = data[8 + n + begin:8 + n + end]
        tensors[name] = np.frombuffer(raw, dtype="<f4").reshape(entry["shape"])
    return tensors, metadata

tensors, metadata = read_safetensors(sys.argv[1])
for name, a in tensors.items():
    print(name, list(a.shape), a.ravel().tolist())
print(json.dumps(metadata, sort_keys=True))
)PY";

}  // namespace

TEST_CASE("save_checkpoint / load_checkpoint round trip") {
    TempDir dir;
    const fs::path path = dir / "tiny.safetensors";
    Tiny model;
    save_checkpoint(path, model, nullptr, {{"epoch", "3"}, {"note", "hello"}});

    Tiny fresh(true);
    REQUIRE_FALSE(same_values(model, fresh));
    const Tensor weight_handle = fresh.weight;  // loading writes into the existing tensors
    const Metadata md = load_checkpoint(path, fresh);
    CHECK(same_values(model, fresh));
    CHECK(weight_handle.value() == model.weight.value());
    CHECK(md == Metadata{{"epoch", "3"}, {"note", "hello"}});
    CHECK(other_files(dir.path, "tiny.safetensors").empty());  // no temporary file left behind

    // Saving again replaces the file.
    model.weight.mutable_value()(0, 0) = 42.0f;
    save_checkpoint(path, model);
    CHECK(load_checkpoint(path, fresh).empty());
    CHECK(fresh.weight.value()(0, 0) == 42.0f);
}

TEST_CASE("the file layout") {
    // write_safetensors of a = [1, 2] (2,), s = 0.5 (), e (0, 3) with metadata k = v:
    //   header {"__metadata__":{"k":"v"},"a":{...[0,8]},"s":{...[8,12]},"e":{...[12,12]}}
    //   padded with spaces to 8 + N ≡ 0 (mod 8), then 12 bytes of data.
    TempDir dir;
    const fs::path path = dir / "t.safetensors";
    const NamedTensors ts{{"a", Tensor(Array{1.f, 2.f})}, {"s", Tensor::scalar(0.5f)}, {"e", Tensor(Array::from_shape({0, 3}))}};
    write_safetensors(path, ts, {{"k", "v"}});

    const std::string json =
        R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
        R"("s":{"dtype":"F32","shape":[],"data_offsets":[8,12]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[12,12]}})";
    const std::size_t n = json.size() + (8 - (8 + json.size()) % 8) % 8;
    const float data[] = {1.f, 2.f, 0.5f};
    const std::string want = le64(n) + json + std::string(n - json.size(), ' ') +
                             std::string(reinterpret_cast<const char*>(data), sizeof data);
    CHECK(read_file(path) == want);
    CHECK((8 + n) % 8 == 0);

    const SafetensorsFile back = read_safetensors(path);
    REQUIRE(back.tensors.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(back.tensors[i].first == ts[i].first);
        CHECK(back.tensors[i].second.shape() == ts[i].second.shape());
        CHECK(back.tensors[i].second.value() == ts[i].second.value());
        CHECK_FALSE(back.tensors[i].second.requires_grad());
    }
    CHECK(back.metadata == Metadata{{"k", "v"}});

    // No metadata, no tensors: the smallest file, "{}" and six spaces.
    write_safetensors(path, {});
    CHECK(read_file(path) == le64(8) + "{}      ");
    CHECK(read_safetensors(path).tensors.empty());

    const std::string where = "write_safetensors(" + path.string() + "): ";
    const Tensor one(Array{1.f});
    CHECK_THROWS_WITH_AS(write_safetensors(path, {{"a", one}, {"a", one}}), (where + "two tensors are named a").c_str(),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(write_safetensors(path, {{"__metadata__", one}}),
                         (where + "__metadata__ cannot name a tensor").c_str(), std::invalid_argument);
    CHECK_THROWS_WITH_AS(write_safetensors(path, {{"", one}}), (where + "a tensor has an empty name").c_str(),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(write_safetensors(path, {{"x", Tensor()}}), (where + "tensor x is empty (no value)").c_str(),
                         std::invalid_argument);
}

TEST_CASE("optimizer state in a checkpoint: a resumed run continues bit-exactly") {
    TempDir dir;
    const fs::path path = dir / "ckpt.safetensors";
    auto set_grads = [](Module& m, float s) {
        m.zero_grad();
        for (auto& [name, p] : m.named_parameters()) {
            Array g = Array::from_shape(p.shape());
            for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = s * (static_cast<float>(i) - 1.3f);
            p.add_grad(g);
        }
    };

    Tiny model;
    Adam opt(model.named_parameters(), {.lr = 0.01f, .weight_decay = 0.1f});
    set_grads(model, 1.0f);
    opt.step();
    set_grads(model, -0.7f);
    opt.step();
    opt.set_lr(0.0075f);
    save_checkpoint(path, model, &opt, {{"epoch", "2"}});

    Tiny fresh(true);
    Adam fresh_opt(fresh.named_parameters(), {.lr = 0.01f, .weight_decay = 0.1f});
    const Metadata md = load_checkpoint(path, fresh, &fresh_opt);
    CHECK(md == Metadata{{"epoch", "2"}, {"optim.lr", "0.0075"}, {"optim.step_count", "2"}, {"optim.type", "Adam"}});
    CHECK(fresh_opt.step_count() == 2);
    CHECK(fresh_opt.lr() == 0.0075f);
    CHECK(same_values(model, fresh));
    const NamedTensors a = opt.state(), b = fresh_opt.state();
    REQUIRE(a.size() == 6);
    REQUIRE(b.size() == a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].first == b[i].first);
        CHECK(a[i].second.value() == b[i].second.value());
    }
    // The next step is identical in both runs.
    set_grads(model, 0.4f);
    opt.step();
    set_grads(fresh, 0.4f);
    fresh_opt.step();
    CHECK(same_values(model, fresh));

    // The stored names.
    std::vector<std::string> names;
    for (const auto& [name, t] : read_safetensors(path).tensors) names.push_back(name);
    CHECK(names == std::vector<std::string>{"weight", "child.bias", "running_mean", "count", "optim.step.weight",
                                            "optim.exp_avg.weight", "optim.exp_avg_sq.weight", "optim.step.child.bias",
                                            "optim.exp_avg.child.bias", "optim.exp_avg_sq.child.bias"});

    // Loading the model alone ignores the optimizer's part.
    Tiny eval_model(true);
    CHECK(load_checkpoint(path, eval_model).at("epoch") == "2");

    const std::string where = "load_checkpoint(" + path.string() + "): ";
    Tiny other(true);
    SGD sgd(other.named_parameters(), {.lr = 0.1f, .momentum = 0.9f});
    CHECK_FAILS_WITH(load_checkpoint(path, other, &sgd), where + "the optimizer state is for Adam, not SGD");
    // An Adam over differently named parameters: the model is not touched either.
    Tensor x(Array{1.f, 2.f, 3.f}, true);
    Adam stranger(NamedTensors{{"x", x}});
    CHECK_FAILS_WITH(load_checkpoint(path, other, &stranger),
                     where + "optimizer state: Adam: state step.weight is for weight, which is not a parameter of this "
                             "optimizer");
    CHECK(same_values(other, Tiny(true)));
    CHECK(stranger.state().empty());

    const fs::path bare = dir / "bare.safetensors";
    save_checkpoint(bare, model);
    CHECK_FAILS_WITH(load_checkpoint(bare, other, &sgd),
                     "load_checkpoint(" + bare.string() + "): no optimizer state in file (it was saved without an optimizer)");

    CHECK_THROWS_WITH_AS(save_checkpoint(bare, model, &opt, {{"optim.lr", "1"}}),
                         ("save_checkpoint(" + bare.string() +
                          "): metadata key optim.lr is reserved (keys starting with \"optim.\" hold the optimizer's state)")
                             .c_str(),
                         std::invalid_argument);
}

TEST_CASE("load errors: the file itself") {
    TempDir dir;
    Tiny model;
    const fs::path p = dir / "bad.safetensors";
    const std::string where = "load_checkpoint(" + p.string() + "): ";

    SUBCASE("missing file") {
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "cannot open (No such file or directory)");
    }
    SUBCASE("a directory") {
        fs::create_directory(p);
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "a directory, not a file");
    }
    SUBCASE("empty file") {
        write_file(p, "");
        CHECK_FAILS_WITH(load_checkpoint(p, model),
                         where + "file is 0 bytes long; a safetensors file starts with an 8-byte header length");
    }
    SUBCASE("truncated inside the header length") {
        write_file(p, std::string("\x10\0\0\0\0", 5));
        CHECK_FAILS_WITH(load_checkpoint(p, model),
                         where + "file is 5 bytes long; a safetensors file starts with an 8-byte header length");
    }
    SUBCASE("header length beyond the file") {
        write_file(p, le64(1000) + "{}  ");
        CHECK_FAILS_WITH(load_checkpoint(p, model),
                         where + "header length 1000 runs past the end of the file (4 bytes follow the length)");
        write_file(p, le64(~std::uint64_t{0}) + "{}  ");  // n + 8 would wrap around
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "header length 18446744073709551615 runs past the end of "
                                                            "the file (4 bytes follow the length)");
    }
    SUBCASE("a real checkpoint cut short") {
        save_checkpoint(p, model);
        const std::string whole = read_file(p);
        // The data: weight [0, 24), child.bias [24, 36), running_mean [36, 48), count [48, 52).
        // Cut 2 bytes: the header survives, the last tensor runs past the end.
        write_file(p, whole.substr(0, whole.size() - 2));
        CHECK_FAILS_WITH(load_checkpoint(p, model),
                         where + "header entry count: data_offsets [48,52] run past the end of the data (50 bytes)");
        // Cut inside the header.
        write_file(p, whole.substr(0, 20));
        std::uint64_t n = 0;
        for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(whole[i])) << (8 * i);
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "header length " + std::to_string(n) +
                                                        " runs past the end of the file (12 bytes follow the length)");
    }
    SUBCASE("garbage header") {
        // nlohmann reports the byte where it gave up: 'o' of "not" (it expected "null"),
        // the end of the cut-off object, the byte that is not UTF-8.
        write_header(p, "not json at all", 0);
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "header is not valid JSON (error at byte 2 of 15)");
        write_header(p, R"({"a": {"dtype": "F32", )", 0);
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "header is not valid JSON (error at byte 24 of 23)");
        write_header(p, "[1, 2]", 0);
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "header must be a JSON object, got array");
        write_header(p, std::string("{\"a\xff\": 1}"), 0);  // not UTF-8
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "header is not valid JSON (error at byte 4 of 9)");
        // Valid JSON, but 1e999 fits no double (nlohmann's out_of_range 406; found by tests/fuzz).
        write_header(p, R"({"a": 1e999})", 0);
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "header holds a number too large to read");
    }
    SUBCASE("entries") {
        auto check_entry = [&](const std::string& header, std::size_t data, const std::string& message) {
            CAPTURE(header);
            write_header(p, header, data);
            CHECK_FAILS_WITH(load_checkpoint(p, model), where + message);
        };
        check_entry(R"({"a": 5})", 0, "header entry a: expected an object, got number");
        check_entry(R"({"a": {"shape": [2], "data_offsets": [0, 8]}})", 8, "header entry a: no \"dtype\"");
        check_entry(R"({"a": {"dtype": "F32", "data_offsets": [0, 8]}})", 8, "header entry a: no \"shape\"");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2]}})", 8, "header entry a: no \"data_offsets\"");
        check_entry(R"({"a": {"dtype": 32, "shape": [2], "data_offsets": [0, 8]}})", 8,
                    "header entry a: dtype must be a string, got number");
        check_entry(R"({"gen.fc1.weight": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}})", 4,
                    "unsupported dtype F16 for gen.fc1.weight (only F32)");
        check_entry(R"({"a": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}})", 8,
                    "header entry a: shape must be a list of integers, got number");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 8]}})", 8,
                    "header entry a: shape must be a list of integers >= 0, got [2,-1]");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}})", 8,
                    "header entry a: shape must be a list of integers >= 0, got [2.0]");
        check_entry(R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 8]}})", 8,
                    "header entry a: shape [4294967296,4294967296] is too large");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0]}})", 8,
                    "header entry a: data_offsets must be two integers [begin, end], got [0]");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, "8"]}})", 8,
                    "header entry a: data_offsets must be two integers [begin, end], got [0,\"8\"]");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}})", 8,
                    "header entry a: data_offsets [8,0] end before they begin");
        check_entry(R"({"a": {"dtype": "F32", "shape": [200], "data_offsets": [0, 800]}})", 8,
                    "header entry a: data_offsets [0,800] run past the end of the data (8 bytes)");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [18446744073709551615, 7]}})", 8,
                    "header entry a: data_offsets [18446744073709551615,7] end before they begin");
        check_entry(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8,
                    "header entry a: data_offsets [0,8] hold 8 bytes but shape (3,) of F32 needs 12");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                        "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                    12, "tensors a and b overlap in the data");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                        "b": {"dtype": "F32", "shape": [2], "data_offsets": [12, 20]}})",
                    20, "bytes 8 to 12 of the data belong to no tensor");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})", 12,
                    "bytes 0 to 4 of the data belong to no tensor");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 12,
                    "bytes 8 to 12 of the data belong to no tensor");
        check_entry(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                        "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})",
                    8, "a appears twice in the header");
        check_entry(R"({"__metadata__": {"epoch": 3}})", 0, "__metadata__ must map names to strings; epoch is a number");
        check_entry(R"({"__metadata__": [1]})", 0, "__metadata__ must be an object of strings, got array");
    }
    SUBCASE("read_safetensors names itself") {
        write_file(p, "abc");
        CHECK_FAILS_WITH(read_safetensors(p), "read_safetensors(" + p.string() +
                                                  "): file is 3 bytes long; a safetensors file starts with an 8-byte "
                                                  "header length");
    }
    CHECK(same_values(model, Tiny()));  // nothing above touched the model
}

TEST_CASE("load errors: the file does not fit the model") {
    TempDir dir;
    const fs::path p = dir / "other.safetensors";
    const std::string where = "load_checkpoint(" + p.string() + "): ";
    Tiny donor;
    donor.weight.mutable_value().fill(9.0f);  // new values, so a partial load would show
    Tiny model;

    auto save_with = [&](auto&& edit) {
        NamedTensors ts = module_tensors(donor);
        edit(ts);
        write_safetensors(p, ts);
    };
    auto drop = [](const std::string& name) {
        return [name](NamedTensors& ts) { std::erase_if(ts, [&](const auto& e) { return e.first == name; }); };
    };
    SUBCASE("missing parameter") {
        save_with(drop("child.bias"));
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "missing parameter child.bias");
    }
    SUBCASE("missing buffer") {
        save_with(drop("running_mean"));
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "missing buffer running_mean");
    }
    SUBCASE("wrong name: reported as the model's name that is missing") {
        save_with([](NamedTensors& ts) { ts[1].first = "child.bais"; });
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "missing parameter child.bias");
    }
    SUBCASE("unexpected tensor") {
        save_with([](NamedTensors& ts) { ts.emplace_back("disc.fc9.weight", Tensor(Array{1.f})); });
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "unexpected tensor disc.fc9.weight in file");
    }
    SUBCASE("shape mismatch") {
        save_with([](NamedTensors& ts) { ts[0].second = Tensor(Array::from_shape({2, 4})); });
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "shape mismatch for weight: file (2, 4), model (2, 3)");
    }
    SUBCASE("shape mismatch in the last buffer") {
        save_with([](NamedTensors& ts) { ts.back().second = Tensor(Array{1.f}); });
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "shape mismatch for count: file (1,), model ()");
    }
    CHECK(same_values(model, Tiny()));  // no partial load: weight still has its old values
}

TEST_CASE("files that are not regular files, huge headers, non-finite values, step counts") {
    TempDir dir;
    Tiny model;
    const fs::path p = dir / "ckpt.safetensors";
    const std::string where = "load_checkpoint(" + p.string() + "): ";

    SUBCASE("a FIFO is refused at once, never waited on") {
        REQUIRE(::mkfifo(p.c_str(), 0644) == 0);
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "not a regular file (a FIFO)");
        CHECK_FAILS_WITH(read_safetensors(p), "read_safetensors(" + p.string() + "): not a regular file (a FIFO)");
    }
    SUBCASE("a device") {
        CHECK_FAILS_WITH(read_safetensors("/dev/zero"), "read_safetensors(/dev/zero): not a regular file (a character device)");
        CHECK_FAILS_WITH(load_checkpoint("/dev/null", model), "load_checkpoint(/dev/null): not a regular file (a character device)");
    }
    SUBCASE("a header over 100 MiB is refused before it is read") {
        // A sparse file: 100 MiB + 1 byte of header length, and as many bytes after it.
        const std::uint64_t n = (std::uint64_t{100} << 20) + 1;
        write_file(p, le64(n));
        fs::resize_file(p, 8 + n);
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "header length 104857601 is over this reader's limit of "
                                                            "104857600 bytes");
    }
    SUBCASE("a non-finite value is never saved, and the file on disk stays as it was") {
        save_checkpoint(p, model);
        const std::string before = read_file(p);
        Tiny bad;
        bad.weight.mutable_value()(1, 0) = std::nanf("");
        CHECK_THROWS_WITH_AS(save_checkpoint(p, bad),
                             ("save_checkpoint(" + p.string() + "): tensor weight holds nan (element 3); not saved").c_str(),
                             std::invalid_argument);
        bad.weight.mutable_value()(1, 0) = 1.0f;
        bad.running_mean.mutable_value()(2) = -INFINITY;
        NamedTensors ts = module_tensors(bad);
        CHECK_THROWS_WITH_AS(write_safetensors(p, ts),
                             ("write_safetensors(" + p.string() + "): tensor running_mean holds -inf (element 2); not saved")
                                 .c_str(),
                             std::invalid_argument);
        // Optimizer state is saved as tensors too.
        ts = module_tensors(model);
        ts.emplace_back("optim.exp_avg.weight", Tensor(Array{{0.f, INFINITY, 0.f}, {0.f, 0.f, 0.f}}));
        CHECK_THROWS_WITH_AS(write_safetensors(p, ts),
                             ("write_safetensors(" + p.string() +
                              "): tensor optim.exp_avg.weight holds inf (element 1); not saved")
                                 .c_str(),
                             std::invalid_argument);
        CHECK(read_file(p) == before);
        CHECK(other_files(dir.path, "ckpt.safetensors").empty());
    }
    SUBCASE("a file holding a non-finite value is refused, naming the tensor") {
        Adam opt(model.named_parameters(), {.lr = 0.01f});
        for (auto& [name, t] : model.named_parameters()) t.add_grad(Array::from_shape(t.shape()) * 0.0f + 1.0f);
        opt.step();
        save_checkpoint(p, model, &opt);
        // Overwrite one float in the file: the data starts at 8 + header length.
        const SafetensorsFile good = read_safetensors(p);
        std::string bytes = read_file(p);
        std::uint64_t n = 0;
        for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
        auto poke = [&](std::uint64_t data_offset, float value) {
            std::string edited = bytes;
            std::memcpy(&edited[8 + n + data_offset], &value, sizeof value);
            write_file(p, edited);
        };
        poke(4, std::nanf(""));  // weight, element 1
        CHECK_FAILS_WITH(load_checkpoint(p, model), where + "tensor weight holds nan (element 1)");
        CHECK_FAILS_WITH(read_safetensors(p), "read_safetensors(" + p.string() + "): tensor weight holds nan (element 1)");
        // optim.exp_avg.weight follows the model's 52 bytes and optim.step.weight's 4.
        poke(52 + 4 + 8, INFINITY);
        Tiny fresh(true);
        Adam fresh_opt(fresh.named_parameters(), {.lr = 0.01f});
        CHECK_FAILS_WITH(load_checkpoint(p, fresh, &fresh_opt), where + "tensor optim.exp_avg.weight holds inf (element 2)");
        CHECK(same_values(fresh, Tiny(true)));
        CHECK(fresh_opt.state().empty());
        CHECK(good.tensors.size() == 10);
    }
    SUBCASE("optim.step_count is at most 2^53, so it can never overflow") {
        Adam opt(model.named_parameters(), {.lr = 0.01f});
        auto save_with_count = [&](const std::string& count) {
            write_safetensors(p, module_tensors(model), {{"optim.type", "Adam"}, {"optim.lr", "0.01"}, {"optim.step_count", count}});
        };
        save_with_count("9007199254740992");
        load_checkpoint(p, model, &opt);
        CHECK(opt.step_count() == max_step_count);
        save_with_count("9007199254740993");
        CHECK_FAILS_WITH(load_checkpoint(p, model, &opt),
                         where + "metadata optim.step_count 9007199254740993 is over the limit of 9007199254740992 (2^53)");
        save_with_count("9223372036854775808");  // no int64 holds it
        CHECK_FAILS_WITH(load_checkpoint(p, model, &opt), where + "metadata optim.step_count is missing or not an integer");
        CHECK(opt.step_count() == max_step_count);  // the failed loads changed nothing
    }
}

TEST_CASE("writes are atomic") {
    TempDir dir;
    Tiny model;

    SUBCASE("parent is a regular file") {
        write_file(dir / "file", "x");
        const fs::path p = dir.path / "file" / "ckpt.safetensors";
        CHECK_FAILS_WITH(save_checkpoint(p, model), "save_checkpoint(" + p.string() + "): cannot write (Not a directory)");
    }
    SUBCASE("directory does not exist") {
        const fs::path p = dir.path / "no" / "such" / "ckpt.safetensors";
        CHECK_FAILS_WITH(write_safetensors(p, module_tensors(model)),
                         "write_safetensors(" + p.string() + "): cannot write (No such file or directory)");
        CHECK_FALSE(fs::exists(dir.path / "no"));
    }
    SUBCASE("the disk fills up halfway: the old checkpoint survives") {
        const fs::path p = dir / "ckpt.safetensors";
        save_checkpoint(p, model);
        const std::string old_bytes = read_file(p);

        // A full disk: a 64-byte limit on file size makes the write fail partway with EFBIG.
        Tiny changed;
        changed.weight.mutable_value().fill(7.0f);
        std::string message;
        {
            const FileSizeLimit limit(64);
            try {
                save_checkpoint(p, changed);
            } catch (const std::runtime_error& e) {
                message = e.what();
            }
        }

        CHECK(message == "save_checkpoint(" + p.string() + "): cannot write (File too large)");
        CHECK(read_file(p) == old_bytes);
        Tiny fresh(true);
        load_checkpoint(p, fresh);
        CHECK(same_values(fresh, model));
        CHECK(other_files(dir.path, "ckpt.safetensors").empty());  // the temporary file is gone
    }
    SUBCASE("a write removes the temporary files of processes that are gone") {
        // A pid no process has: a child that has exited and been waited for.
        const pid_t child = ::fork();
        if (child == 0) ::_exit(0);
        REQUIRE(child > 0);
        REQUIRE(::waitpid(child, nullptr, 0) == child);
        const fs::path p = dir / "ckpt.safetensors";
        const std::string dead = p.string() + ".tmp-" + std::to_string(child);
        const std::string alive = p.string() + ".tmp-" + std::to_string(::getppid());  // our parent runs
        const std::string other = p.string() + ".tmp-notapid";
        for (const std::string& f : {dead, alive, other}) write_file(f, "half a checkpoint");

        save_checkpoint(p, model);
        CHECK_FALSE(fs::exists(dead));
        CHECK(fs::exists(alive));   // may be a write in progress
        CHECK(fs::exists(other));   // not a name an atomic write makes
        Tiny fresh(true);
        load_checkpoint(p, fresh);
        CHECK(same_values(fresh, model));
    }
}

TEST_CASE("a checkpoint is readable from Python (json + numpy)") {
    // The snippet must be the one docs/checkpoints.md shows.
    std::string docs_text;
    for (const fs::path& candidate : {fs::path(__FILE__).parent_path().parent_path() / "docs" / "checkpoints.md",
                                      fs::path("docs") / "checkpoints.md", fs::path("..") / "docs" / "checkpoints.md"})
        if (fs::exists(candidate)) {
            docs_text = read_file(candidate);
            break;
        }
    INFO("docs/checkpoints.md not found: run from the build directory (meson test) or the source root");
    REQUIRE_FALSE(docs_text.empty());
    CHECK(docs_text.find(std::string("```python\n") + python_reader + "```\n") != std::string::npos);
    REQUIRE(std::string(python_reader).find('\'') == std::string::npos);  // it goes inside '...' below

    if (!fs::exists("/usr/bin/python3") || run_shell("/usr/bin/python3 -c 'import numpy' 2>/dev/null").second != 0) {
        MESSAGE("skipped: /usr/bin/python3 with numpy is not installed (apt-get install python3-numpy)");
        return;
    }
    TempDir dir;
    const fs::path path = dir / "tiny.safetensors";
    save_checkpoint(path, Tiny(), nullptr, {{"epoch", "3"}});
    const auto [out, status] = run_shell("/usr/bin/python3 -c '" + std::string(python_reader) + "' '" + path.string() + "' 2>&1");
    CHECK(status == 0);
    CHECK(out ==
          "weight [2, 3] [0.5, -1.25, 2.0, 0.0, 3.75, -0.125]\n"
          "child.bias [3] [1.0, 2.0, -3.0]\n"
          "running_mean [3] [0.25, 0.5, 0.75]\n"
          "count [] [5.0]\n"
          "{\"epoch\": \"3\"}\n");

    // A value that is not exactly representable in decimal comes back as the same float.
    Tiny odd;
    odd.weight.mutable_value()(1, 2) = 0.1f;
    save_checkpoint(path, odd);
    const auto [out2, status2] = run_shell("/usr/bin/python3 -c '" + std::string(python_reader) + "' '" + path.string() + "'");
    CHECK(status2 == 0);
    CHECK(out2.find("weight [2, 3] [0.5, -1.25, 2.0, 0.0, 3.75, 0.10000000149011612]\n") == 0);
}
