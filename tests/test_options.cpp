// test_options.cpp — examples/common/options.cpp: the command lines of gan_mnist
// and cgan_mnist (and of mnist_classifier and evaluate) parsed from argument
// vectors, their defaults, --help, every message of an unreadable command line,
// and every message finish_options and check_batch_fits give for a bad value;
// and tape_demo's own small command line, by running it.
#include <sys/stat.h>

#include <type_traits>

#include "check.hpp"
#include "files.hpp"

#include "examples/common/blas_info.hpp"
#include "examples/common/models.hpp"
#include "examples/common/options.hpp"

using namespace xgrad::examples;
using namespace xgrad::testing;

// expr must throw std::invalid_argument with exactly this message.
#define CHECK_REFUSES(expr, msg) CHECK_FAILS_WITH_AS(expr, msg, std::invalid_argument)

namespace {

// A fresh directory for one test case that is also the working directory while
// the test runs (the defaults are relative paths).
struct TempWorkDir : TempDir {
    fs::path old_cwd = fs::current_path();
    TempWorkDir() { fs::current_path(path); }
    ~TempWorkDir() { fs::current_path(old_cwd); }
};

// The command line of gan_mnist (or, cgan, cgan_mnist) read into fresh options,
// which must succeed.
GanOptions parsed(const std::vector<std::string>& args, bool cgan = false) {
    GanOptions opt;
    const ParseResult r = parse_options(args, cgan ? "cgan_mnist" : "gan_mnist", opt);
    REQUIRE(r.outcome == ParseResult::run);
    return opt;
}

// The one-line message of a command line that cannot be read.
template <class Options>
std::string refused(const std::vector<std::string>& args, Options opt) {
    ParseResult r;
    if constexpr (std::is_same_v<Options, GanOptions>)
        r = parse_options(args, "gan_mnist", opt);
    else
        r = parse_options(args, opt);
    CHECK(r.outcome == ParseResult::error);
    return r.text;
}

// The --help text of a program.
template <class Options>
std::string help_of(Options opt, const std::string& program = "") {
    ParseResult r;
    if constexpr (std::is_same_v<Options, GanOptions>)
        r = parse_options({"--help"}, program, opt);
    else
        r = parse_options({"--help"}, opt);
    CHECK(r.outcome == ParseResult::help);
    return r.text;
}

// Options that pass every check: data and out in the test's directory.
GanOptions valid(const TempDir& dir) {
    fs::create_directories(dir / "mnist");
    GanOptions opt;
    opt.data = dir / "mnist";
    opt.out = dir / "out";
    return opt;
}

}  // namespace

TEST_CASE("the parser fills every field") {
    SUBCASE("no arguments: the struct's defaults") {
        const GanOptions o = parsed({}, true);
        const GanOptions d;
        CHECK(o.data == "");
        CHECK(o.epochs == 30);
        CHECK(o.batch_size == 64);
        CHECK(o.lr == 2e-4f);
        CHECK(o.beta1 == 0.5f);
        CHECK(o.z_dim == 100);
        CHECK(o.seed == 1);
        CHECK(o.out == "");
        CHECK_FALSE(o.resume);
        CHECK(o.sample_every == 5);
        CHECK(o.threads == 0);
        CHECK(o.arch == "mlp");
        CHECK(o.gan_weight == d.gan_weight);
        CHECK(o.dis_weight == d.dis_weight);
        CHECK(o.cond_weight == d.cond_weight);
        CHECK(o.noise_weight == d.noise_weight);
    }
    SUBCASE("every option given") {
        const GanOptions o =
            parsed({"--data", "d", "--epochs", "3", "--batch-size", "32", "--lr", "0.001", "--beta1", "0.9",
                       "--z-dim", "10", "--seed", "18446744073709551615", "--out", "o", "--resume", "--sample-every",
                       "2", "--threads", "4", "--arch", "paper", "--gan-weight", "0.5", "--dis-weight", "2",
                       "--cond-weight", "1", "--noise-weight", "0.25"},
                   true);
        CHECK(o.data == "d");
        CHECK(o.epochs == 3);
        CHECK(o.batch_size == 32);
        CHECK(o.lr == 0.001f);
        CHECK(o.beta1 == 0.9f);
        CHECK(o.z_dim == 10);
        CHECK(o.seed == 18446744073709551615ull);  // the whole uint64 range
        CHECK(o.out == "o");
        CHECK(o.resume);
        CHECK(o.sample_every == 2);
        CHECK(o.threads == 4);
        CHECK(o.arch == "paper");
        CHECK(o.gan_weight == 0.5f);
        CHECK(o.dis_weight == 2.0f);
        CHECK(o.cond_weight == 1.0f);
        CHECK(o.noise_weight == 0.25f);
    }
    SUBCASE("--arch only takes mlp, dcgan, article or paper") {
        CHECK(refused({"--arch", "cnn"}, GanOptions{}) == "--arch: cnn not in {mlp,dcgan,article,paper}");
        for (const char* arch : {"mlp", "dcgan", "article", "paper"}) {
            GanOptions o;
            REQUIRE(parse_options({"--arch", arch}, "cgan_mnist", o).outcome == ParseResult::run);
            CHECK(o.arch == arch);
        }
    }
    SUBCASE("the loss weights are cgan_mnist's only") {
        CHECK(refused({"--cond-weight", "1"}, GanOptions{}) == "The following arguments were not expected: 1 --cond-weight");
    }
    SUBCASE("a number that is not one") {
        CHECK(refused({"--epochs", "many"}, GanOptions{}) == "Could not convert: --epochs = many");
    }
    SUBCASE("an option without its value") {
        CHECK(refused({"--epochs"}, GanOptions{}) == "--epochs: 1 required INT missing");
    }
    SUBCASE("--seed takes an integer from 0 to 2^64 - 1 and nothing else, in all three programs") {
        const std::string range = " is not an integer from 0 to 18446744073709551615";
        for (const std::string bad : {"-1", "1e23", "18446744073709551616", "1.5", "+5", "0x10", " 5"}) {
            INFO(bad);
            CHECK(refused({"--seed", bad}, GanOptions{}) == "--seed: " + bad + range);
            CHECK(refused({"--seed", bad}, ClassifierOptions{}) == "--seed: " + bad + range);
            CHECK(refused({"--seed", bad}, EvalOptions{}) == "--seed: " + bad + range);
        }
        CHECK(refused({"--seed", ""}, GanOptions{}) == "--seed: an empty value" + range);
        CHECK(parsed({"--seed", "0"}).seed == 0);
        CHECK(parsed({"--seed", "18446744073709551615"}).seed == 18446744073709551615ull);
        CHECK(parsed({"--seed", "010"}).seed == 10);  // decimal, not octal
        ClassifierOptions c;
        REQUIRE(parse_options({"--seed", "18446744073709551615"}, c).outcome == ParseResult::run);
        CHECK(c.seed == 18446744073709551615ull);
        EvalOptions e;
        REQUIRE(parse_options({"--seed", "0"}, e).outcome == ParseResult::run);
        CHECK(e.seed == 0);
        CHECK(e.seed_given);
    }
    SUBCASE("a flag reads yes/no words only") {
        CHECK(parsed({"--resume=yes"}).resume);
        CHECK_FALSE(parsed({"--resume=no"}).resume);
        CHECK(refused({"--resume=maybe"}, GanOptions{}) == "Could not convert: --resume = maybe");
    }
}

TEST_CASE("mnist_classifier's and evaluate's command lines") {
    SUBCASE("defaults") {
        ClassifierOptions c;
        CHECK(parse_options({}, c).outcome == ParseResult::run);
        CHECK(c.arch == "cnn");
        CHECK(c.epochs == 20);
        CHECK(c.shift == 2);
        CHECK(c.out == "out/judge");
        EvalOptions e;
        CHECK(parse_options({}, e).outcome == ParseResult::run);
        CHECK(e.samples == 10000);
        CHECK_FALSE(e.samples_given);
        CHECK_FALSE(e.seed_given);
    }
    SUBCASE("every option given") {
        ClassifierOptions c;
        REQUIRE(parse_options({"--data", "d", "--epochs", "3", "--batch-size", "8", "--lr", "0.5", "--shift", "0",
                               "--seed", "7", "--out", "o", "--arch", "mlp"},
                              c).outcome == ParseResult::run);
        CHECK(c.arch == "mlp");
        CHECK(c.data == "d");
        CHECK(c.epochs == 3);
        CHECK(c.batch_size == 8);
        CHECK(c.lr == 0.5f);
        CHECK(c.shift == 0);
        CHECK(c.seed == 7);
        CHECK(c.out == "o");
        EvalOptions e;
        REQUIRE(parse_options({"--judge", "j", "--checkpoint", "c", "--real", "--samples", "20", "--seed", "3",
                               "--data", "d", "--json", "x.json"},
                              e).outcome == ParseResult::run);
        CHECK(e.judge == "j");
        CHECK(e.checkpoint == "c");
        CHECK(e.real);
        CHECK(e.samples == 20);
        CHECK(e.samples_given);
        CHECK(e.seed == 3);
        CHECK(e.seed_given);
        CHECK(e.data == "d");
        CHECK(e.json == "x.json");
    }
    SUBCASE("unreadable values and unknown options") {
        CHECK(refused({"--shift", "two"}, ClassifierOptions{}) == "Could not convert: --shift = two");
        CHECK(refused({"--arch", "lenet"}, ClassifierOptions{}) == "--arch: lenet not in {cnn,mlp}");
        CHECK(refused({"--samples", "1e9x"}, EvalOptions{}) == "Could not convert: --samples = 1e9x");
    }
    SUBCASE("--help lists every option") {
        const std::string c = help_of(ClassifierOptions{});
        for (const char* name : {"--arch", "--data", "--epochs", "--batch-size", "--lr", "--shift", "--seed", "--out"}) {
            INFO(name);
            CHECK(c.find(name) != std::string::npos);
        }
        const std::string e = help_of(EvalOptions{});
        for (const char* name : {"--judge", "--checkpoint", "--real", "--samples", "--seed", "--data", "--json"}) {
            INFO(name);
            CHECK(e.find(name) != std::string::npos);
        }
    }
}

TEST_CASE("--help lists every option with its default") {
    const std::string help = help_of(GanOptions{}, "gan_mnist"), cgan_help = help_of(GanOptions{}, "cgan_mnist");
    for (const char* name : {"--data", "--epochs", "--batch-size", "--lr", "--beta1", "--z-dim", "--seed", "--out",
                             "--resume", "--sample-every", "--threads", "--arch"}) {
        INFO(name);
        CHECK(help.find(name) != std::string::npos);
        CHECK(cgan_help.find(name) != std::string::npos);
    }
    for (const char* name : {"--gan-weight", "--dis-weight", "--cond-weight", "--noise-weight"}) {
        INFO(name);
        CHECK(help.find(name) == std::string::npos);
        CHECK(cgan_help.find(name) != std::string::npos);
    }
    // Defaults are shown (CLI11 prints "=value" after the type).
    for (const char* shown : {"=30", "=64", "=0.0002", "=0.5", "=100", "=1", "=5", "=0", "=mlp"}) {
        INFO(shown);
        CHECK(help.find(shown) != std::string::npos);
    }
    CHECK(help.find("mlp,dcgan,article,paper") != std::string::npos);
    CHECK(help.find("$XGRAD_DATA, else data/mnist") != std::string::npos);
    CHECK(help.find("out/<program>") != std::string::npos);
}

TEST_CASE("--blas-info: every program reports OpenBLAS and stops") {
    const std::string report = blas_report(read_blas_info());
    GanOptions g;
    ClassifierOptions c;
    EvalOptions e;
    for (const ParseResult& r : {parse_options({"--blas-info"}, "gan_mnist", g),
                                 parse_options({"--blas-info", "--epochs", "3"}, "cgan_mnist", g),
                                 parse_options({"--blas-info"}, c), parse_options({"--blas-info"}, e)}) {
        CHECK(r.outcome == ParseResult::blas_info);
        CHECK(r.text == report);
    }
    CHECK(help_of(GanOptions{}, "gan_mnist").find("--blas-info") != std::string::npos);
    CHECK(help_of(EvalOptions{}).find("--blas-info") != std::string::npos);
    CHECK(refused({"--blas-info", "--epochs", "many"}, GanOptions{}) == "Could not convert: --epochs = many");
}

TEST_CASE("finish_options fills the defaults") {
    TempWorkDir dir;
    SUBCASE("data from $XGRAD_DATA, out from the program name") {
        fs::create_directories(dir / "fashion");
        EnvVar env("XGRAD_DATA", (dir / "fashion").c_str());
        GanOptions opt;
        finish_options(opt, "cgan_mnist");
        CHECK(opt.data == dir / "fashion");
        CHECK(opt.out == "out/cgan_mnist");
        CHECK(fs::is_directory(dir.path / "out" / "cgan_mnist"));  // created
        CHECK(fs::is_empty(dir.path / "out" / "cgan_mnist"));      // the write probe is gone
    }
    SUBCASE("without $XGRAD_DATA: data/mnist") {
        EnvVar env("XGRAD_DATA", nullptr);
        GanOptions opt;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"),
                      "--data data/mnist: no such directory (run examples/fetch_mnist.sh first)");
        CHECK(opt.data == "data/mnist");
        CHECK_FALSE(fs::exists(dir.path / "out"));  // nothing is created for a command line that fails
        fs::create_directories(dir.path / "data" / "mnist");
        finish_options(opt, "gan_mnist");
        CHECK(opt.out == "out/gan_mnist");
    }
    SUBCASE("given values are kept") {
        GanOptions opt = valid(dir);
        opt.out = dir / "a/b";
        finish_options(opt, "gan_mnist");
        CHECK(opt.data == dir / "mnist");
        CHECK(opt.out == dir / "a/b");
        CHECK(fs::is_directory(dir.path / "a" / "b"));
    }
}

TEST_CASE("finish_options refuses every bad value with one line") {
    TempWorkDir dir;
    GanOptions opt = valid(dir);
    SUBCASE("from the command line") {
        REQUIRE(parse_options({"--epochs", "-3"}, "gan_mnist", opt).outcome == ParseResult::run);
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--epochs must be positive, got -3");
    }
    SUBCASE("counts") {
        opt.epochs = 0;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--epochs must be positive, got 0");
        opt = valid(dir);
        opt.batch_size = -1;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--batch-size must be positive, got -1");
        opt = valid(dir);
        opt.z_dim = 0;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--z-dim must be positive, got 0");
        opt = valid(dir);
        opt.sample_every = 0;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--sample-every must be positive, got 0");
        opt = valid(dir);
        opt.threads = -2;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--threads must be 0 (OpenBLAS's default) or more, got -2");
    }
    SUBCASE("upper bounds, named in the message") {
        opt.epochs = 10001;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--epochs must be at most 10000, got 10001");
        opt = valid(dir);
        opt.batch_size = 4097;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--batch-size must be at most 4096, got 4097");
        opt = valid(dir);
        REQUIRE(parse_options({"--z-dim", "100000"}, "gan_mnist", opt).outcome == ParseResult::run);
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--z-dim must be at most 4096, got 100000");
        opt = valid(dir);
        opt.sample_every = 2147483647;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--sample-every must be at most 10000, got 2147483647");
        opt = valid(dir);
        opt.threads = 257;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--threads must be at most 256, got 257");
        opt = valid(dir);  // every bound itself is allowed
        opt.epochs = opt.sample_every = 10000;
        opt.batch_size = opt.z_dim = 4096;
        opt.threads = 256;
        CHECK_NOTHROW(finish_options(opt, "gan_mnist"));
    }
    SUBCASE("--batch-size 1 and batch normalisation") {
        opt.batch_size = 1;  // mlp, the default, has batch norm in its generator
        CHECK_REFUSES(finish_options(opt, "gan_mnist"),
                      "--batch-size 1: arch mlp uses batch normalisation, which needs at least 2 images per batch");
        opt.batch_size = 2;
        CHECK_NOTHROW(finish_options(opt, "gan_mnist"));
        opt.batch_size = 1;
        opt.arch = "dcgan";  // batch norm in its generator too
        CHECK_REFUSES(finish_options(opt, "cgan_mnist"),
                      "--batch-size 1: arch dcgan uses batch normalisation, which needs at least 2 images per batch");
        for (const char* arch : {"article", "paper"}) {  // no batch norm: one image a step is fine
            opt.arch = arch;
            CHECK_NOTHROW(finish_options(opt, "cgan_mnist"));
        }
    }
    SUBCASE("--resume and --overwrite together") {
        REQUIRE(parse_options({"--resume", "--overwrite", "--out", "runs/a"}, "gan_mnist", opt).outcome ==
                ParseResult::run);
        CHECK_REFUSES(finish_options(opt, "gan_mnist"),
                      "--resume and --overwrite cannot be used together: --resume continues the run in runs/a, "
                      "--overwrite starts it over");
        CHECK_FALSE(fs::exists(dir / "runs"));  // refused before --out is made
    }
    SUBCASE("learning rate") {
        opt.lr = 0.0f;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--lr must be positive and finite, got 0");
        opt.lr = -0.001f;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--lr must be positive and finite, got -0.001");
        opt.lr = std::numeric_limits<float>::infinity();
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--lr must be positive and finite, got inf");
        opt = valid(dir);
        REQUIRE(parse_options({"--lr", "nan"}, "gan_mnist", opt).outcome == ParseResult::run);
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--lr must be positive and finite, got nan");
    }
    SUBCASE("beta1") {
        opt.beta1 = 1.0f;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--beta1 must be in [0, 1), got 1");
        opt.beta1 = -0.5f;
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--beta1 must be in [0, 1), got -0.5");
        opt.beta1 = 0.0f;  // the edge that is allowed
        CHECK_NOTHROW(finish_options(opt, "gan_mnist"));
    }
    SUBCASE("arch, when the struct is filled by hand") {
        opt.arch = "cnn";
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "unknown --arch 'cnn' (use mlp, dcgan, article or paper)");
    }
    SUBCASE("loss weights") {
        opt.gan_weight = -1.0f;
        CHECK_REFUSES(finish_options(opt, "cgan_mnist"), "--gan-weight must be >= 0 and finite, got -1");
        opt = valid(dir);
        opt.dis_weight = std::numeric_limits<float>::quiet_NaN();
        CHECK_REFUSES(finish_options(opt, "cgan_mnist"), "--dis-weight must be >= 0 and finite, got nan");
        opt = valid(dir);
        opt.cond_weight = std::numeric_limits<float>::infinity();
        CHECK_REFUSES(finish_options(opt, "cgan_mnist"), "--cond-weight must be >= 0 and finite, got inf");
        opt = valid(dir);
        opt.noise_weight = -0.25f;
        CHECK_REFUSES(finish_options(opt, "cgan_mnist"), "--noise-weight must be >= 0 and finite, got -0.25");
        opt = valid(dir);
        opt.gan_weight = opt.dis_weight = opt.cond_weight = opt.noise_weight = 0.0f;  // 0 switches a loss off
        CHECK_NOTHROW(finish_options(opt, "cgan_mnist"));
    }
    SUBCASE("data directory") {
        opt.data = dir / "missing";
        CHECK_REFUSES(finish_options(opt, "gan_mnist"),
                      "--data " + dir / "missing" + ": no such directory (run examples/fetch_mnist.sh first)");
        write_file(dir / "file", "x");
        opt.data = dir / "file";
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--data " + dir / "file" + ": not a directory");
    }
    SUBCASE("output directory") {
        opt.out = "/proc/x";  // procfs refuses new directories, even to root
        CHECK_REFUSES(finish_options(opt, "gan_mnist"), "--out /proc/x: cannot create directory (No such file or directory)");
        write_file(dir / "file", "x");
        opt.out = dir / "file/sub";
        CHECK_REFUSES(finish_options(opt, "gan_mnist"),
                      "--out " + dir / "file/sub" + ": cannot create directory (Not a directory)");
        opt.out = dir / "file";
        CHECK_REFUSES(finish_options(opt, "gan_mnist"),
                      "--out " + dir / "file" + ": cannot create directory (Not a directory)");
        // sysfs exists but takes no new files, even from root (the reason depends on
        // how it is mounted: Permission denied, or Read-only file system).
        opt.out = "/sys";
        std::string message;
        try {
            finish_options(opt, "gan_mnist");
        } catch (const std::invalid_argument& e) {
            message = e.what();
        }
        CHECK(message.rfind("--out /sys: not writable (", 0) == 0);
        CHECK(message.back() == ')');
    }
    SUBCASE("nothing is created when a value is bad") {
        opt.out = dir / "new";
        opt.epochs = 0;
        CHECK_THROWS_AS(finish_options(opt, "gan_mnist"), std::invalid_argument);
        CHECK_FALSE(fs::exists(dir / "new"));
    }
}

TEST_CASE("check_batch_fits") {
    GanOptions opt;
    opt.batch_size = 3000;
    CHECK_REFUSES(check_batch_fits(opt, 2000), "--batch-size 3000 is larger than the training set (2000 images)");
    opt.batch_size = 9000;
    CHECK_REFUSES(check_batch_fits(opt, 8000), "--batch-size 9000 is larger than the training set (8000 images)");
    CHECK_NOTHROW(check_batch_fits(opt, 9000));  // one full batch is fine
    CHECK_NOTHROW(check_batch_fits(opt, 60000));
}

TEST_CASE("arch_uses_batch_norm agrees with the networks of models.cpp") {
    // A network holds batch normalisation exactly when it has running statistics.
    auto has_batch_norm = [](const xgrad::nn::Module& net) {
        for (const auto& [name, buffer] : net.named_buffers())
            if (name.find("running_mean") != std::string::npos) return true;
        return false;
    };
    for (const char* name : {"mlp", "dcgan", "article", "paper"}) {
        INFO(name);
        xgrad::Generator rng(1);
        const Arch arch = parse_arch(name);
        const bool any = has_batch_norm(*make_generator(arch, 100, 10, rng)) ||
                         has_batch_norm(*make_discriminator(arch, 10, 10, rng, rng));
        CHECK(arch_uses_batch_norm(name) == any);
    }
}

// tape_demo reads its own command line (examples/tape_demo.cpp), without CLI11:
// --help, refused options and paths, each run in a fresh working directory.
TEST_CASE("tape_demo's command line") {
    TempWorkDir dir;
    // stdout, or (err = true) stderr alone, and the exit status.
    auto tape_demo = [](const std::string& args, bool err = false) {
        return run_shell(std::string(XGRAD_TAPE_DEMO) + " " + args + (err ? " 2>&1 >/dev/null" : " 2>/dev/null"));
    };
    SUBCASE("--help: the usage on stdout, exit 0, no file written") {
        const auto [out, status] = tape_demo("--help");
        CHECK(status == 0);
        CHECK(out.rfind("usage: tape_demo [graph.dot]\n", 0) == 0);
        CHECK(out.find("(default: tape_demo.dot)") != std::string::npos);
        CHECK(fs::is_empty(dir.path));
        CHECK(tape_demo("-h") == std::pair<std::string, int>{out, 0});
    }
    SUBCASE("an unknown option: one line, exit 2") {
        CHECK(tape_demo("--graph x.dot", true) ==
              std::pair<std::string, int>{"tape_demo: unknown option --graph (usage: tape_demo [graph.dot])\n", 2});
        CHECK(tape_demo("-", true) ==
              std::pair<std::string, int>{"tape_demo: unknown option - (usage: tape_demo [graph.dot])\n", 2});
        CHECK(fs::is_empty(dir.path));
    }
    SUBCASE("two paths: one line, exit 2") {
        const std::string message = "tape_demo: one path only, got a.dot and b.dot (usage: tape_demo [graph.dot])\n";
        CHECK(tape_demo("a.dot b.dot", true) == std::pair<std::string, int>{message, 2});
        CHECK(fs::is_empty(dir.path));
    }
    SUBCASE("a path it cannot write: one line before any output, exit 1") {
        CHECK(tape_demo("no/such/dir.dot") == std::pair<std::string, int>{"", 1});
        CHECK(tape_demo("no/such/dir.dot", true) ==
              std::pair<std::string, int>{"tape_demo: cannot write no/such/dir.dot\n", 1});
        // A FIFO is refused without being opened (opening it would wait for a reader).
        REQUIRE(::mkfifo((dir / "pipe.dot").c_str(), 0644) == 0);
        CHECK(run_shell("timeout 20 " + std::string(XGRAD_TAPE_DEMO) + " pipe.dot 2>&1 >/dev/null") ==
              std::pair<std::string, int>{"tape_demo: cannot write pipe.dot\n", 1});
    }
    SUBCASE("one path: the graph goes there") {
        const auto [out, status] = tape_demo("g.dot");
        CHECK(status == 0);
        CHECK(out.find("graph written to g.dot") != std::string::npos);
        CHECK(read_file(dir / "g.dot").rfind("digraph", 0) == 0);
    }
}
