// Resident memory of a whole run without a memory cgroup. The keeper samples
// it while the program runs and ends the run once it is over the limit, so a
// run's memory is bounded even where no cgroup can be had (a normal user
// without a delegated cgroup): the sum of the resident sets of every process
// of the run, each address space counted once (threads share theirs), plus
// what the memfds they hold store (memory no resident set shows).
//
// Isolated, the run's processes are every process of the keeper's pid
// namespace but the keeper (its own /proc lists exactly those). Plain, they
// are the keeper's descendants (orphans come back to it: a subreaper).
#pragma once

#include <cstdint>

namespace pj::sandbox {

// How often the keeper samples: a program that allocates as fast as the
// machine can is over its limit for at most this long before it is killed.
inline constexpr int kMemorySampleMs = 10;

// Bytes resident in every process of the run. Async-signal-safe, no
// allocation. `whole_namespace`: every process of our pid namespace but us;
// else our descendants.
std::uint64_t run_resident_bytes(bool whole_namespace);

}  // namespace pj::sandbox
