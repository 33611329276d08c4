#include "judge/pipeline/transport.hpp"

#include "judge/pipeline/local_transport.hpp"
#include "judge/pipeline/redis_transport.hpp"

namespace pj::judge {

std::unique_ptr<Transport> open_transport(const Instance& inst) {
  if (inst.broker) return make_redis_transport(inst);
  return make_local_transport(inst);
}

}  // namespace pj::judge
