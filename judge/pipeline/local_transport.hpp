// The local transport: POSIX message queues and a durable outbox on disk,
// for the processes of one machine (local_transport.cpp says how).
#pragma once

#include <memory>

#include "judge/pipeline/transport.hpp"

namespace pj::judge {

std::unique_ptr<Transport> make_local_transport(const Instance& inst);

}  // namespace pj::judge
