// interrupt.cpp — the handler does the only thing a signal handler may safely do
// here: store the signal number in a volatile std::sig_atomic_t. Everything else
// (saving, printing) happens in the training loop, outside the handler.
#include "interrupt.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>

namespace xgrad::examples {

namespace {

volatile std::sig_atomic_t pending = 0;

extern "C" void on_signal(int signal) {
    if (pending == 0) pending = signal;
}

void install(int signal) {
    struct sigaction action = {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    // SA_RESETHAND: a second Ctrl-C gets the default action (quit now).
    // SA_RESTART: a read or write the signal interrupts is resumed, not failed.
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    sigaction(signal, &action, nullptr);
}

}  // namespace

void catch_interrupts() {
    install(SIGINT);
    install(SIGTERM);
    std::signal(SIGXFSZ, SIG_IGN);
}

int interrupt_signal() { return pending; }

std::string signal_name(int signal) {
    if (signal == SIGINT) return "SIGINT";
    if (signal == SIGTERM) return "SIGTERM";
    return "signal " + std::to_string(signal);
}

int report_interrupt(const std::string& program, int signal, const std::string& position,
                     const std::string& checkpoint) {
    if (::isatty(::fileno(stderr))) std::fputc('\n', stderr);  // end the progress line that was being redrawn
    std::fprintf(stderr, "%s: %s: stopped %s; saved %s. Run the same command with --resume to continue from there.\n",
                 program.c_str(), signal_name(signal).c_str(), position.c_str(), checkpoint.c_str());
    return 128 + signal;
}

}  // namespace xgrad::examples
