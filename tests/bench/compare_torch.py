#!/usr/bin/python3
"""compare_torch.py — the reference CGAN iteration, and a small DCGAN's convolutions, in xgrad and in PyTorch, side by side.

    /usr/bin/python3 tests/bench/compare_torch.py BUILD/tests/bench/bench_cgan [--batch 16,64,256]
                     [--rounds 5] [--iters 5] [--warmup 2]
    /usr/bin/python3 tests/bench/compare_torch.py --conv BUILD/tests/bench/bench_conv [--rounds 5] [--iters 5]
                     [--warmup 2] [--conv-batch 64]
    /usr/bin/python3 tests/bench/compare_torch.py --dcgan BUILD/tests/bench/bench_dcgan [--rounds 5] [--iters 5]
                     [--warmup 2] [--conv-batch 64]
(the binaries may be given in one run), and for profiling PyTorch's side of one layer, or of
the DCGAN iteration (then give the layer as DCGAN):
    perf record /usr/bin/python3 tests/bench/compare_torch.py --torch-steps G1:200

The same model on both sides (tests/bench/bench_cgan.cpp describes it): generator
[z(100) ‖ onehot(10)] → 128 → 256 → 512 → 1024 → 1024 → 784 (ReLU, sigmoid), discriminator
[x(784) ‖ onehot(10)] → 1024 → 512 → 256 → 128 → 1 (ReLU), BCE with logits, Adam(lr 2e-4,
betas (0.5, 0.999)); one iteration = a discriminator step on a real and a generated batch,
then a generator step with the discriminator frozen. The "real" batch is uniform noise of
the right shape, fixed for the run, on both sides.

Every round runs each thread configuration of each side once (xgrad as a subprocess
`bench_cgan --machine`, PyTorch in this process), so both see the same load on a shared
machine. Per side, the configuration with the lowest median wins; the ratio is the median
over rounds of (PyTorch ms / xgrad ms) with those configurations: above 1 means xgrad is faster.

Convolutions (--conv): the four layers of tests/bench/bench_conv.cpp (conv2d 1→64 and 64→128 of a
discriminator, conv_transpose2d 128→64 and 64→1 of a generator; batch 64, 4×4, stride 2, padding 1),
forward + backward with the input, weight and bias gradients, from a fixed seed gradient. Every round
runs xgrad with 1 and 2 OpenBLAS threads (a subprocess `bench_conv --machine`, all four layers each),
then PyTorch with (torch.set_num_threads, OpenBLAS threads) = (1, 1), (1, 2), (2, 2), and (2, 1) with
--all-configs: its conv2d runs in oneDNN on torch's threads, its conv_transpose2d as im2col/col2im
around OpenBLAS sgemm. Three ratios per layer, each the median over rounds of PyTorch / xgrad:
  1 thread each                 wall-clock ms, the same thread counts on both sides;
  1 thread each, CPU time       the process CPU time of a step: on a loaded machine it moves far
                                less than wall-clock time, which also counts the waits for a core;
  best of each side             wall-clock ms, each side's fastest configuration.
Targets: conv_transpose2d faster than PyTorch's (ratio >= 1), conv2d within 1.5 times PyTorch's
time (ratio >= 1/1.5).

The DCGAN iteration (--dcgan): one training iteration of `cgan_mnist --arch dcgan`
(tests/bench/bench_dcgan.cpp runs the programs' own networks and step) and the same in PyTorch
(TorchDcgan below: the same layers, sizes, losses and Adam(lr 2e-4, betas (0.5, 0.999))), batch 64.
Threads and ratios as for the convolutions (its convolutions run in oneDNN on torch's threads, its
linear layers in OpenBLAS). Target: xgrad at least 1.5 times PyTorch's speed (ratio >= 1.5).

Needs PyTorch: the Debian package python3-torch (apt-get install python3-torch), for
/usr/bin/python3. Without it the script says so and exits with 77, which meson reports
as SKIP.
"""
import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import time

TARGETS = {16: 2.2, 64: 1.8, 256: 1.3}  # xgrad at least this many times PyTorch's speed (docs/performance.md)
# Convolutions: conv_transpose2d faster than PyTorch's (ratio above 1); conv2d within 1.5 times
# PyTorch's oneDNN time (ratio at least 1 / 1.5).
CONV_TARGETS = {"conv2d": 1 / 1.5, "conv_transpose2d": 1.0}  # ratio PyTorch ms / xgrad ms
# PyTorch: (torch.set_num_threads, OpenBLAS threads); its conv2d (oneDNN) uses the first, its
# conv_transpose2d's products the second. xgrad: XGRAD_THREADS.
# (2, 1) is tried only with --all-configs: on a loaded machine it was the slowest but one, for every layer.
CONV_TORCH_THREADS = [(1, 1), (1, 2), (2, 2)]
CONV_TORCH_THREADS_ALL = CONV_TORCH_THREADS + [(2, 1)]
DCGAN_TARGET = 1.5  # the DCGAN iteration: ratio PyTorch ms / xgrad ms
# (name, transposed, in channels, out channels, input side) as in tests/bench/bench_conv.cpp
CONV_LAYERS = [("D1", False, 1, 64, 28), ("D2", False, 64, 128, 14),
               ("G1", True, 128, 64, 7), ("G2", True, 64, 1, 14)]

# Thread configurations tried on each side.
#   xgrad: OpenBLAS threads (xgrad itself runs on one thread).
#   torch: (torch.set_num_threads, OpenBLAS threads).
#   (2, 2) — two torch threads — is tried only with --all-configs: on two cores it
#   fights OpenBLAS's threads and is several times slower (measured in docs/performance.md).
XGRAD_THREADS = [1, 2]
TORCH_THREADS = [(1, 2), (1, 1)]
TORCH_THREADS_ALL = TORCH_THREADS + [(2, 2)]


def load_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        print(f"compare_torch: skipped — PyTorch is not installed for {sys.executable}; "
              "install the Debian package python3-torch (apt-get install python3-torch)")
        sys.exit(77)
    return torch


def openblas_handles():
    """The OpenBLAS libraries loaded in this process (torch reaches OpenBLAS through libblas.so.3)."""
    handles = []
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "blas" in line and line.split()[-1].startswith("/")})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_set_num_threads  # raises AttributeError if it is not OpenBLAS
            handles.append(lib)
        except (OSError, AttributeError):
            pass
    return handles


class TorchCgan:
    """The reference model in PyTorch, written the way a PyTorch user would."""

    def __init__(self, torch, batch):
        nn = torch.nn
        self.torch, self.batch = torch, batch
        torch.manual_seed(1)

        def mlp(sizes, last):
            layers = []
            for i in range(len(sizes) - 1):
                layers.append(nn.Linear(sizes[i], sizes[i + 1]))
                if i + 2 < len(sizes):
                    layers.append(nn.ReLU())
            if last is not None:
                layers.append(last)
            return nn.Sequential(*layers)

        self.gen = mlp([110, 128, 256, 512, 1024, 1024, 784], nn.Sigmoid())
        self.disc = mlp([794, 1024, 512, 256, 128, 1], None)
        self.opt_gen = torch.optim.Adam(self.gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_disc = torch.optim.Adam(self.disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.bce = nn.BCEWithLogitsLoss()
        self.x_real = torch.rand(batch, 784)
        self.y_real = torch.randint(0, 10, (batch,))
        self.ones, self.zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def iteration(self):
        torch, F = self.torch, self.torch.nn.functional
        z = torch.randn(self.batch, 100)
        y_fake_hot = F.one_hot(torch.randint(0, 10, (self.batch,)), 10).float()
        fake = self.gen(torch.cat([z, y_fake_hot], 1))

        real_logit = self.disc(torch.cat([self.x_real, F.one_hot(self.y_real, 10).float()], 1))
        fake_logit = self.disc(torch.cat([fake.detach(), y_fake_hot], 1))
        d_loss = self.bce(real_logit, self.ones) + self.bce(fake_logit, self.zeros)
        self.opt_disc.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_disc.step()

        for p in self.disc.parameters():
            p.requires_grad_(False)
        g_loss = self.bce(self.disc(torch.cat([fake, y_fake_hot], 1)), self.ones)
        self.opt_gen.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_gen.step()
        for p in self.disc.parameters():
            p.requires_grad_(True)


def torch_round(torch, blas, model, config, iters, warmup):
    """Median ms per iteration of `iters` iterations after `warmup`, with threads = config."""
    torch_threads, blas_threads = config
    torch.set_num_threads(torch_threads)
    for lib in blas:
        lib.openblas_set_num_threads(blas_threads)
    for _ in range(warmup):
        model.iteration()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        model.iteration()
        times.append(1e3 * (time.perf_counter() - t0))
    return statistics.median(times)


def xgrad_round(binary, batch, threads, iters, warmup):
    """Median ms per iteration from one run of bench_cgan --machine."""
    out = subprocess.run([binary, "--machine", "--batch", str(batch), "--rounds", "1", "--iters", str(iters),
                          "--warmup", str(warmup), "--threads", str(threads), "--memory-iters", "0"],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("cgan "):
            fields = dict(kv.split("=") for kv in line.split()[1:])
            return float(fields["ms"])
    raise RuntimeError("bench_cgan printed no 'cgan' line:\n" + out)


def conv_backend(torch, x, w, b, stride, padding, transposed=False):
    """Which convolution PyTorch picks for these arguments (torch 1.13's internal query)."""
    select = getattr(torch._C, "_select_conv_backend", None)
    if select is None:
        return "?"
    return str(select(x, w, b, [stride] * 2, [padding] * 2, [1, 1], transposed, [0, 0], 1)).split(".")[-1]


class TorchConv:
    """One layer of bench_conv in PyTorch: forward, then backward from a fixed seed gradient."""

    def __init__(self, torch, layer, batch):
        self.torch = torch
        self.name, self.transposed, cin, cout, side = layer
        self.op = "conv_transpose2d" if self.transposed else "conv2d"
        torch.manual_seed(7)
        self.x = torch.randn(batch, cin, side, side, requires_grad=True)
        w_shape = (cin, cout, 4, 4) if self.transposed else (cout, cin, 4, 4)
        self.w = (torch.rand(w_shape) * 0.2 - 0.1).requires_grad_(True)
        self.b = (torch.rand(cout) * 0.2 - 0.1).requires_grad_(True)
        out_side = 2 * side if self.transposed else side // 2
        self.seed = torch.randn(batch, cout, out_side, out_side)

    def backend(self):
        return conv_backend(self.torch, self.x, self.w, self.b, 2, 1, self.transposed)

    def step(self):
        F = self.torch.nn.functional
        self.x.grad = self.w.grad = self.b.grad = None
        if self.transposed:
            y = F.conv_transpose2d(self.x, self.w, self.b, stride=2, padding=1)
        else:
            y = F.conv2d(self.x, self.w, self.b, stride=2, padding=1)
        y.backward(self.seed)


def torch_conv_round(torch, blas, layers, config, iters, warmup):
    """{layer name: (median ms, median CPU ms) of `iters` steps after `warmup`}, config = (torch, OpenBLAS) threads."""
    torch_threads, blas_threads = config
    torch.set_num_threads(torch_threads)
    for lib in blas:
        lib.openblas_set_num_threads(blas_threads)
    out = {}
    for layer in layers:
        for _ in range(warmup):
            layer.step()
        times, cpu = [], []
        for _ in range(iters):
            t0, c0 = time.perf_counter(), time.process_time()
            layer.step()
            times.append(1e3 * (time.perf_counter() - t0))
            cpu.append(1e3 * (time.process_time() - c0))
        out[layer.name] = statistics.median(times), statistics.median(cpu)
    return out


def xgrad_conv_round(binary, batch, threads, iters, warmup):
    """{layer name: fields of its `conv` line} from one run of bench_conv --machine."""
    out = subprocess.run([binary, "--machine", "--batch", str(batch), "--rounds", "1", "--iters", str(iters),
                          "--warmup", str(warmup), "--threads", str(threads), "--step-only"],
                         check=True, capture_output=True, text=True).stdout
    lines = {}
    for line in out.splitlines():
        if line.startswith("conv "):
            fields = dict(kv.split("=") for kv in line.split()[1:])
            lines[fields["layer"]] = fields
    if len(lines) != len(CONV_LAYERS):
        raise RuntimeError("bench_conv did not print one 'conv' line per layer:\n" + out)
    return lines


def compare(x_rounds, t_rounds):
    """Medians of each side and the median (min, max) over rounds of PyTorch ms / xgrad ms."""
    r = [t_ms / x_ms for t_ms, x_ms in zip(t_rounds, x_rounds)]
    return statistics.median(x_rounds), statistics.median(t_rounds), statistics.median(r), min(r), max(r)


def compare_conv(torch, blas, binary, args):
    """Alternating rounds of bench_conv and the same layers in PyTorch; the tables described at the top."""
    torch_configs = CONV_TORCH_THREADS_ALL if args.all_configs else CONV_TORCH_THREADS
    layers = [TorchConv(torch, layer, args.conv_batch) for layer in CONV_LAYERS]
    print(f"convolutions at batch {args.conv_batch} (4x4, stride 2, padding 1), forward + backward; "
          f"PyTorch backends: {', '.join(f'{l.name} {l.backend()}' for l in layers)}")
    xg = {(l.name, t): [] for l in layers for t in XGRAD_THREADS}
    shares = {(l.name, t): [] for l in layers for t in XGRAD_THREADS}
    th = {(l.name, c): [] for l in layers for c in torch_configs}
    xg_cpu = {l.name: [] for l in layers}  # CPU time of a step with one thread each side
    th_cpu = {l.name: [] for l in layers}
    for _ in range(args.rounds):
        for t in XGRAD_THREADS:
            for name, fields in xgrad_conv_round(binary, args.conv_batch, t, args.iters, args.warmup).items():
                xg[name, t].append(float(fields["ms"]))
                if t == 1:
                    xg_cpu[name].append(float(fields["cpu_ms"]))
                shares[name, t].append(fields)
        for c in torch_configs:
            for name, (ms, cpu_ms) in torch_conv_round(torch, blas, layers, c, args.iters, args.warmup).items():
                th[name, c].append(ms)
                if c == (1, 1):
                    th_cpu[name].append(cpu_ms)
    for l in layers:
        for t in XGRAD_THREADS:
            print(f"  {l.name} {l.op:16s} xgrad  blas {t}            median {statistics.median(xg[l.name, t]):8.3f} ms"
                  f"  rounds {' '.join(f'{v:.2f}' for v in xg[l.name, t])}")
        for c in torch_configs:
            print(f"  {l.name} {l.op:16s} torch  torch {c[0]} blas {c[1]}   median "
                  f"{statistics.median(th[l.name, c]):8.3f} ms  rounds {' '.join(f'{v:.2f}' for v in th[l.name, c])}")
    print(f"\nload average after: {load_average()}\n")

    print("layer | op | xgrad ms (blas threads) | torch ms (torch, blas threads) | ratio torch/xgrad (min-max) | "
          "target")
    for l in layers:
        best_x = min(XGRAD_THREADS, key=lambda t: statistics.median(xg[l.name, t]))
        best_t = min(torch_configs, key=lambda c: statistics.median(th[l.name, c]))
        rows = [("1 thread each", 1, (1, 1), xg[l.name, 1], th[l.name, (1, 1)]),
                ("1 thread each, CPU time", 1, (1, 1), xg_cpu[l.name], th_cpu[l.name]),
                ("best of each side", best_x, best_t, xg[l.name, best_x], th[l.name, best_t])]
        for label, tx, ct, x_rounds, t_rounds in rows:
            x_ms, t_ms, r, lo, hi = compare(x_rounds, t_rounds)
            target = CONV_TARGETS[l.op]
            print(f"{l.name} | {l.op} | {x_ms:.3f} ({tx}) | {t_ms:.3f} ({ct[0]}, {ct[1]}) | {r:.2f} ({lo:.2f}-{hi:.2f}) "
                  f"| >= {target:.2f}: {'met' if r >= target else 'NOT met'}   ({label})")
            print(f"RESULT conv layer={l.name} op={l.op} compare={label.replace(', ', '_').replace(' ', '_')} xgrad_ms={x_ms:.4f} "
                  f"xgrad_blas_threads={tx} torch_ms={t_ms:.4f} torch_threads={ct[0]} torch_blas_threads={ct[1]} "
                  f"ratio={r:.3f} ratio_min={lo:.3f} ratio_max={hi:.3f}")
    print("\nxgrad: share of the step's time inside sgemm / im2col / col2im / the rest (in the round of median time)")
    for l in layers:
        for t in XGRAD_THREADS:
            rounds = sorted(shares[l.name, t], key=lambda f: float(f["ms"]))
            middle = rounds[(len(rounds) - 1) // 2]
            share = {k: float(middle[k + "_share"]) for k in ("sgemm", "im2col", "col2im", "rest")}
            print(f"{l.name} | {l.op} | blas {t} | " + " / ".join(f"{100 * v:.1f}%" for v in share.values()))
            print(f"RESULT conv_shares layer={l.name} op={l.op} xgrad_blas_threads={t} "
                  + " ".join(f"{k}_share={v:.4f}" for k, v in share.items()))


def make_torch_dcgan(torch):
    """The generator and discriminator of examples/common/models.cpp's dcgan as PyTorch modules."""
    nn, F = torch.nn, torch.nn.functional

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(110, 64 * 7 * 7)
            self.bn0 = nn.BatchNorm2d(64)
            self.conv1 = nn.Conv2d(64, 32, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(32)
            self.conv2 = nn.Conv2d(32, 1, 3, padding=1)

        def forward(self, z, y):
            h = self.fc(torch.cat([z, y], 1)).view(-1, 64, 7, 7)
            h = F.relu(self.bn0(h))
            h = F.relu(self.bn1(self.conv1(F.interpolate(h, scale_factor=2, mode="nearest"))))
            h = torch.tanh(self.conv2(F.interpolate(h, scale_factor=2, mode="nearest")))
            return h.flatten(1)

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 4, stride=2, padding=1)
            self.conv2 = nn.Conv2d(32, 64, 4, stride=2, padding=1)
            self.fc = nn.Linear(64 * 7 * 7, 1)
            self.embed = nn.Linear(10, 64 * 7 * 7, bias=False)  # on the one-hot label, as xgrad's

        def forward(self, x, y):
            h = F.leaky_relu(self.conv1(x.view(-1, 1, 28, 28)), 0.2)
            h = F.leaky_relu(self.conv2(h), 0.2).flatten(1)  # phi(x)
            return self.fc(h) + (self.embed(y) * h).sum(1, keepdim=True)  # the projection of the label

    return Generator(), Discriminator()


class TorchDcgan:
    """One iteration of cgan_mnist --arch dcgan (examples/common/cgan_step.cpp with the default
    options), written the way a PyTorch user would."""

    def __init__(self, torch, batch):
        self.torch, self.batch = torch, batch
        self.name = "DCGAN"  # for torch_conv_round, which times it as it times a layer
        torch.manual_seed(1)
        self.gen, self.disc = make_torch_dcgan(torch)
        self.opt_gen = torch.optim.Adam(self.gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_disc = torch.optim.Adam(self.disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.bce = torch.nn.BCEWithLogitsLoss()
        self.x_real = torch.rand(batch, 784) * 2 - 1  # in the generator's range [-1, 1]
        self.y_real = torch.randint(0, 10, (batch,))
        self.ones, self.zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
        self.dis_weight = self.gan_weight = 1.0  # cgan_mnist's --dis-weight and --gan-weight

    def backends(self):
        """PyTorch's choice of convolution for each layer, at this batch size."""
        torch, b = self.torch, self.batch
        layers = [("G conv1", self.gen.conv1, (b, 64, 14, 14)), ("G conv2", self.gen.conv2, (b, 32, 28, 28)),
                  ("D conv1", self.disc.conv1, (b, 1, 28, 28)), ("D conv2", self.disc.conv2, (b, 32, 14, 14))]
        return ", ".join(f"{name} {conv_backend(torch, torch.zeros(shape), conv.weight, conv.bias, conv.stride[0], conv.padding[0])}"
                         for name, conv, shape in layers)

    def step(self):
        torch, F = self.torch, self.torch.nn.functional
        z = torch.randn(self.batch, 100)
        y_fake = torch.randint(0, 10, (self.batch,))
        fake = self.gen(z, F.one_hot(y_fake, 10).float())

        real_logit = self.disc(self.x_real, F.one_hot(self.y_real, 10).float())
        fake_logit = self.disc(fake.detach(), F.one_hot(y_fake, 10).float())
        d_loss = self.dis_weight * (self.bce(real_logit, self.ones) + self.bce(fake_logit, self.zeros))
        self.opt_disc.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_disc.step()

        for p in self.disc.parameters():
            p.requires_grad_(False)
        g_loss = self.gan_weight * self.bce(self.disc(fake, F.one_hot(y_fake, 10).float()), self.ones)
        self.opt_gen.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_gen.step()
        for p in self.disc.parameters():
            p.requires_grad_(True)
        return d_loss.item(), g_loss.item()


def xgrad_dcgan_round(binary, batch, threads, iters, warmup):
    """The fields of the `dcgan` line of one run of bench_dcgan --machine."""
    out = subprocess.run([binary, "--machine", "--batch", str(batch), "--rounds", "1", "--iters", str(iters),
                          "--warmup", str(warmup), "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("dcgan "):
            return dict(kv.split("=") for kv in line.split()[1:])
    raise RuntimeError("bench_dcgan printed no 'dcgan' line:\n" + out)


def compare_dcgan(torch, blas, binary, args):
    """Alternating rounds of bench_dcgan and TorchDcgan; the table described at the top."""
    torch_configs = CONV_TORCH_THREADS_ALL if args.all_configs else CONV_TORCH_THREADS
    model = TorchDcgan(torch, args.conv_batch)
    print(f"cgan_mnist --arch dcgan, one iteration at batch {args.conv_batch}; PyTorch backends: {model.backends()}")
    xg = {t: [] for t in XGRAD_THREADS}
    th = {c: [] for c in torch_configs}
    xg_cpu, th_cpu, xg_lines = [], [], []
    for _ in range(args.rounds):
        for t in XGRAD_THREADS:
            fields = xgrad_dcgan_round(binary, args.conv_batch, t, args.iters, args.warmup)
            xg[t].append(float(fields["ms"]))
            if t == 1:
                xg_cpu.append(float(fields["cpu_ms"]))
                xg_lines.append(fields)
        for c in torch_configs:
            ms, cpu_ms = torch_conv_round(torch, blas, [model], c, args.iters, args.warmup)["DCGAN"]
            th[c].append(ms)
            if c == (1, 1):
                th_cpu.append(cpu_ms)
    for t in XGRAD_THREADS:
        print(f"  DCGAN xgrad  blas {t}            median {statistics.median(xg[t]):8.2f} ms"
              f"  rounds {' '.join(f'{v:.1f}' for v in xg[t])}")
    for c in torch_configs:
        print(f"  DCGAN torch  torch {c[0]} blas {c[1]}   median {statistics.median(th[c]):8.2f} ms"
              f"  rounds {' '.join(f'{v:.1f}' for v in th[c])}")
    print(f"\nload average after: {load_average()}\n")

    best_x = min(XGRAD_THREADS, key=lambda t: statistics.median(xg[t]))
    best_t = min(torch_configs, key=lambda c: statistics.median(th[c]))
    print("comparison | xgrad ms (blas threads) | torch ms (torch, blas threads) | ratio torch/xgrad (min-max) | target")
    for label, tx, ct, x_rounds, t_rounds in [("1 thread each", 1, (1, 1), xg[1], th[(1, 1)]),
                                               ("1 thread each, CPU time", 1, (1, 1), xg_cpu, th_cpu),
                                               ("best of each side", best_x, best_t, xg[best_x], th[best_t])]:
        x_ms, t_ms, r, lo, hi = compare(x_rounds, t_rounds)
        print(f"{label} | {x_ms:.2f} ({tx}) | {t_ms:.2f} ({ct[0]}, {ct[1]}) | {r:.2f} ({lo:.2f}-{hi:.2f}) "
              f"| >= {DCGAN_TARGET}: {'met' if r >= DCGAN_TARGET else 'NOT met'}")
        print(f"RESULT dcgan batch={args.conv_batch} compare={label.replace(', ', '_').replace(' ', '_')} "
              f"xgrad_ms={x_ms:.3f} xgrad_blas_threads={tx} torch_ms={t_ms:.3f} torch_threads={ct[0]} "
              f"torch_blas_threads={ct[1]} ratio={r:.3f} ratio_min={lo:.3f} ratio_max={hi:.3f}")
    middle = sorted(xg_lines, key=lambda f: float(f["ms"]))[(len(xg_lines) - 1) // 2]
    print(f"\nxgrad, 1 thread (round of median time): {float(middle['gflop']):.3f} GFLOP in sgemm per iteration, "
          f"{100 * float(middle['sgemm_share']):.1f}% of the time inside sgemm, {middle['sgemm_calls']} calls; "
          f"{middle['mallocs_per_iter']} mallocs and {middle['system_blocks_per_iter']} new array blocks per iteration")


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench_cgan", nargs="?", help="path to the bench_cgan binary of a build directory")
    ap.add_argument("--conv", metavar="BENCH_CONV", help="path to bench_conv: compare the convolutions too")
    ap.add_argument("--dcgan", metavar="BENCH_DCGAN", help="path to bench_dcgan: compare the DCGAN iteration too")
    ap.add_argument("--conv-batch", type=int, default=64,
                    help="batch size of the convolutions and of the DCGAN iteration (default 64)")
    ap.add_argument("--torch-steps", metavar="LAYER:STEPS",
                    help="only run STEPS steps of one convolution layer in PyTorch, one thread each (for perf)")
    ap.add_argument("--batch", default="16,64,256", help="comma-separated batch sizes (default 16,64,256)")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds per batch size (default 5)")
    ap.add_argument("--iters", type=int, default=5, help="timed iterations per round and configuration (default 5)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed iterations before each timed run (default 2)")
    ap.add_argument("--all-configs", action="store_true",
                    help="also try PyTorch with 2 torch threads (CGAN) or 2 torch and 1 OpenBLAS thread (--conv)")
    args = ap.parse_args()
    torch_configs = TORCH_THREADS_ALL if args.all_configs else TORCH_THREADS
    if args.torch_steps is not None:  # perf record /usr/bin/python3 compare_torch.py --torch-steps G1:200
        name, steps = args.torch_steps.split(":")
        torch = load_torch()
        if name == "DCGAN":
            layer = TorchDcgan(torch, args.conv_batch)
        else:
            layer = next(TorchConv(torch, spec, args.conv_batch) for spec in CONV_LAYERS if spec[0] == name)
        torch_conv_round(torch, openblas_handles(), [layer], (1, 1), int(steps), 0)
        return 0
    if args.bench_cgan is None and args.conv is None and args.dcgan is None:
        ap.error("give the bench_cgan binary, --conv BENCH_CONV, --dcgan BENCH_DCGAN, or several")
    for path, target in ((args.bench_cgan, "bench_cgan"), (args.conv, "bench_conv"), (args.dcgan, "bench_dcgan")):
        if path is not None and not os.access(path, os.X_OK):
            print(f"compare_torch: {path}: not an executable (build it: ninja -C BUILD tests/bench/{target})")
            return 2
    batches = [int(b) for b in args.batch.split(",")]

    torch = load_torch()
    blas = openblas_handles()
    if not blas:
        print("compare_torch: could not find the OpenBLAS PyTorch uses, so its thread count cannot be set")
        return 2
    print(f"PyTorch {torch.__version__}; OpenBLAS at {len(blas)} handle(s); load average before: {load_average()}")
    print(f"{args.rounds} rounds per batch size (one set of rounds for all convolutions); each round: every configuration once, "
          f"{args.warmup} warm-up + {args.iters} timed iterations (median)\n")

    if args.conv is not None:
        compare_conv(torch, blas, args.conv, args)
        print()
    if args.dcgan is not None:
        compare_dcgan(torch, blas, args.dcgan, args)
        print()
    if args.bench_cgan is None:
        return 0

    results = []
    for batch in batches:
        model = TorchCgan(torch, batch)
        xg = {t: [] for t in XGRAD_THREADS}
        th = {c: [] for c in torch_configs}
        for _ in range(args.rounds):
            for t in XGRAD_THREADS:
                xg[t].append(xgrad_round(args.bench_cgan, batch, t, args.iters, args.warmup))
            for c in torch_configs:
                th[c].append(torch_round(torch, blas, model, c, args.iters, args.warmup))
        best_x = min(XGRAD_THREADS, key=lambda t: statistics.median(xg[t]))
        best_t = min(torch_configs, key=lambda c: statistics.median(th[c]))
        ratios = [t_ms / x_ms for t_ms, x_ms in zip(th[best_t], xg[best_x])]
        results.append((batch, best_x, statistics.median(xg[best_x]), best_t, statistics.median(th[best_t]),
                        statistics.median(ratios), min(ratios), max(ratios)))
        for t in XGRAD_THREADS:
            print(f"  batch {batch:3d}  xgrad  blas {t}            median {statistics.median(xg[t]):8.2f} ms  "
                  f"rounds {' '.join(f'{v:.1f}' for v in xg[t])}")
        for c in torch_configs:
            print(f"  batch {batch:3d}  torch  torch {c[0]} blas {c[1]}   median {statistics.median(th[c]):8.2f} ms  "
                  f"rounds {' '.join(f'{v:.1f}' for v in th[c])}")
        sys.stdout.flush()

    print(f"\nload average after: {load_average()}\n")
    print("batch | xgrad ms (blas threads) | torch ms (torch, blas threads) | ratio torch/xgrad (min-max) | target")
    for batch, bx, x_ms, bt, t_ms, ratio, lo, hi in results:
        target = TARGETS.get(batch)
        verdict = "" if target is None else f">= {target}: {'met' if ratio >= target else 'NOT met'}"
        print(f"{batch:5d} | {x_ms:10.2f} ({bx})          | {t_ms:10.2f} ({bt[0]}, {bt[1]})              | "
              f"{ratio:5.2f} ({lo:.2f}-{hi:.2f})          | {verdict}")
        print(f"RESULT batch={batch} xgrad_ms={x_ms:.3f} xgrad_blas_threads={bx} torch_ms={t_ms:.3f} "
              f"torch_threads={bt[0]} torch_blas_threads={bt[1]} ratio={ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
