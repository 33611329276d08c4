// The keeper: a small process that owns one run slot.
//
// Started once per slot (see slot.hpp) as its own executable, it receives run
// requests on a socket and for each one: prepares the work directory, starts
// the program with one clone (CLONE_VM|CLONE_VFORK) and exec, waits for it
// while listening for a kill request and for seccomp notifications, kills and
// reaps every other process of the run, and replies with the facts.
//
// Isolated (root): the keeper is pid 1 of fresh pid, mount, net, ipc and uts
// namespaces with a private root (mounts.hpp), so kill(-1) ends the run and
// nothing the program started survives it. Plain: it is a child subreaper
// and kills the run's process group and its orphans.
#pragma once

namespace pj::sandbox {

// Entry point of the pipejudge-keeper executable. Arguments:
//   --socket FD [--isolate] [--cgroup-join FD]... [--readonly PATH]...
int keeper_main(int argc, char** argv);

}  // namespace pj::sandbox
