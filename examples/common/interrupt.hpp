// interrupt.hpp — Ctrl-C (SIGINT) and SIGTERM during training: the signal only
// raises a flag; the training loop looks at it after every step, saves a
// checkpoint and stops with exit status 128 + the signal number (130 for Ctrl-C).
// A second signal while the first is being handled ends the program at once
// (the default action); the checkpoint on disk is then the previous one or the
// new one, never half of one (the writes are atomic).
#pragma once

#include <string>

namespace xgrad::examples {

// Install the SIGINT and SIGTERM handlers (each fires once, then the default
// action is back), and ignore SIGXFSZ, so that writing past a file-size limit
// (ulimit -f) fails with EFBIG and a message instead of killing the process.
void catch_interrupts();

// 0 while no signal has arrived, else the number of the first one (SIGINT, SIGTERM).
int interrupt_signal();

// "SIGINT" / "SIGTERM" (or "signal N").
std::string signal_name(int signal);

// After the checkpoint of an interrupted run is saved: print where it is and how
// to go on (stderr, one line), and return the exit status, 128 + signal.
//   "gan_mnist: SIGINT: stopped in epoch 2 after batch 55 (step 180); saved out/gan_mnist/checkpoint.safetensors.
//    Run the same command with --resume to continue from there."
int report_interrupt(const std::string& program, int signal, const std::string& position,
                     const std::string& checkpoint);

}  // namespace xgrad::examples
