#include "judge/pipeline/mq.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "judge/engine/error.hpp"

namespace pj::judge {
namespace {

constexpr mqd_t kNone = static_cast<mqd_t>(-1);

timespec deadline_after(double seconds) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  double whole = std::floor(seconds);
  ts.tv_sec += static_cast<time_t>(whole);
  ts.tv_nsec += static_cast<long>((seconds - whole) * 1e9);
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

ConfigError open_error(const std::string& name, int err) {
  std::string why = std::system_category().message(err);
  switch (err) {
    case EMFILE:
      why +=
          " (per-user message queue memory, RLIMIT_MSGQUEUE / ulimit -q, is used up, or the "
          "process has too many files open)";
      break;
    case ENOSPC:
      why += " (the system-wide queue count, fs.mqueue.queues_max, is reached)";
      break;
    case EINVAL:
      why += " (10 messages of 8 KiB exceed fs.mqueue.msg_max or msgsize_max)";
      break;
    case EACCES:
      why += " (the queue belongs to someone else)";
      break;
    default:
      break;
  }
  return ConfigError(name, "cannot open the message queue: " + why);
}

// Queue memory is counted per user against the creating process's
// RLIMIT_MSGQUEUE, 800 KiB by default: about ten queues, which concurrent
// `submit` runs (two queues each) and instances use up. A process that is
// refused raises its own limit, as far as it may (root: to 64 MiB), once.
bool raise_queue_memory_limit() {
  static bool raised = false;
  if (raised) return false;
  raised = true;
  constexpr rlim_t kWanted = 64ull << 20;
  int saved = errno;  // the caller reports mq_open's error if this fails
  rlimit lim{};
  if (getrlimit(RLIMIT_MSGQUEUE, &lim) != 0) return false;
  rlimit more = lim;
  if (geteuid() == 0 && more.rlim_max != RLIM_INFINITY && more.rlim_max < kWanted)
    more.rlim_max = kWanted;
  more.rlim_cur = more.rlim_max;
  bool ok = more.rlim_cur != lim.rlim_cur && setrlimit(RLIMIT_MSGQUEUE, &more) == 0;
  errno = saved;
  return ok;
}

}  // namespace

MessageQueue::MessageQueue(std::string name, mqd_t q) : name_(std::move(name)), q_(q) {
  mq_attr attr{};
  if (mq_getattr(q_, &attr) != 0) throw std::system_error(errno, std::system_category(), name_);
  message_size_ = attr.mq_msgsize;
  buffer_.resize(static_cast<std::size_t>(message_size_));
}

MessageQueue::MessageQueue(MessageQueue&& o) noexcept
    : name_(std::move(o.name_)),
      q_(std::exchange(o.q_, kNone)),
      message_size_(o.message_size_),
      buffer_(std::move(o.buffer_)) {}

MessageQueue& MessageQueue::operator=(MessageQueue&& o) noexcept {
  if (this != &o) {
    if (q_ != kNone) mq_close(q_);
    name_ = std::move(o.name_);
    q_ = std::exchange(o.q_, kNone);
    message_size_ = o.message_size_;
    buffer_ = std::move(o.buffer_);
  }
  return *this;
}

MessageQueue::~MessageQueue() {
  if (q_ != kNone) mq_close(q_);
}

MessageQueue MessageQueue::open_or_create(const std::string& name, long message_size) {
  mq_attr attr{};
  attr.mq_maxmsg = kMaxMessages;
  attr.mq_msgsize = message_size;
  // Linux mq descriptors are always close-on-exec: a sandboxed program never inherits one.
  mqd_t q = mq_open(name.c_str(), O_RDWR | O_CREAT, 0600, &attr);
  if (q == kNone && errno == EMFILE && raise_queue_memory_limit())
    q = mq_open(name.c_str(), O_RDWR | O_CREAT, 0600, &attr);
  if (q == kNone) throw open_error(name, errno);
  MessageQueue mq(name, q);
  mq.check_private(message_size);
  return mq;
}

std::optional<MessageQueue> MessageQueue::open_existing(const std::string& name,
                                                        long message_size) {
  mqd_t q = mq_open(name.c_str(), O_WRONLY);
  if (q == kNone) {
    if (errno == ENOENT) return std::nullopt;
    throw open_error(name, errno);
  }
  MessageQueue mq(name, q);
  mq.check_private(message_size);
  return mq;
}

void MessageQueue::unlink(const std::string& name) {
  mq_unlink(name.c_str());
}

// Only the owner may read or write the instance's queues; a queue someone
// else made (or left open to others) is not reused.
void MessageQueue::check_private(long message_size) const {
  struct stat st {};
  if (fstat(q_, &st) != 0) throw std::system_error(errno, std::system_category(), name_);
  if (st.st_uid != geteuid())
    throw ConfigError(name_, "the message queue belongs to uid " + std::to_string(st.st_uid) +
                                 ", not to us; refusing to use it");
  if (st.st_mode & 077) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw ConfigError(name_, std::string("the message queue has mode ") + mode +
                                 ", others may write to it; refusing to use it (mq_unlink it)");
  }
  if (message_size_ < message_size)
    throw ConfigError(name_, "the message queue holds messages of at most " +
                                 std::to_string(message_size_) + " bytes, too small; mq_unlink it");
}

MessageQueue::Status MessageQueue::send(std::string_view message, double timeout) {
  timespec deadline = deadline_after(timeout);
  if (mq_timedsend(q_, message.data(), message.size(), 0, &deadline) == 0) return Status::Ok;
  if (errno == ETIMEDOUT) return Status::TimedOut;
  if (errno == EINTR) return Status::Interrupted;
  throw std::system_error(errno, std::system_category(), "cannot send to " + name_);
}

MessageQueue::Received MessageQueue::receive(double timeout) {
  timespec deadline = deadline_after(timeout);
  ssize_t n = mq_timedreceive(q_, buffer_.data(), buffer_.size(), nullptr, &deadline);
  if (n >= 0) return {Status::Ok, buffer_.substr(0, static_cast<std::size_t>(n))};
  if (errno == ETIMEDOUT) return {Status::TimedOut, {}};
  if (errno == EINTR) return {Status::Interrupted, {}};
  throw std::system_error(errno, std::system_category(), "cannot receive from " + name_);
}

long MessageQueue::pending() const {
  mq_attr attr{};
  if (mq_getattr(q_, &attr) != 0) return 0;
  return attr.mq_curmsgs;
}

ino_t MessageQueue::inode() const {
  struct stat st {};
  return fstat(q_, &st) == 0 ? st.st_ino : 0;
}

}  // namespace pj::judge
