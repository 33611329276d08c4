// A POSIX message queue (mq_overview(7)): the kernel holds the messages, so
// they outlive the process that sent them and the one that should read them.
#pragma once

#include <mqueue.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace pj::judge {

class MessageQueue {
 public:
  // The unprivileged defaults (fs.mqueue.msg_max, fs.mqueue.msgsize_max):
  // 10 x 8 KiB, about 80 KiB of the owner's RLIMIT_MSGQUEUE (ulimit -q).
  static constexpr long kMaxMessages = 10;
  static constexpr long kMessageSize = 8192;

  // Opens the queue, creating it (mode 0600, messages of `message_size`
  // bytes) if there is none. A queue that exists (say, left by a crashed
  // run) is reused with everything it holds, if it is ours, private and its
  // messages are that large. Throws ConfigError (the queue's name and why:
  // not ours, too small, RLIMIT_MSGQUEUE used up). The owner's queue memory
  // is charged for kMaxMessages x `message_size`: a queue whose messages are
  // small (a doorbell) should say so.
  static MessageQueue open_or_create(const std::string& name, long message_size = kMessageSize);
  // Opens an existing queue for sending; nullopt if there is none.
  // Throws ConfigError as open_or_create does.
  static std::optional<MessageQueue> open_existing(const std::string& name,
                                                   long message_size = kMessageSize);
  // Removes the name; descriptors already open keep working.
  static void unlink(const std::string& name);

  MessageQueue(MessageQueue&& o) noexcept;
  MessageQueue& operator=(MessageQueue&& o) noexcept;
  MessageQueue(const MessageQueue&) = delete;
  MessageQueue& operator=(const MessageQueue&) = delete;
  ~MessageQueue();

  enum class Status { Ok, TimedOut, Interrupted };
  // Waits up to `timeout` seconds for room (0: not at all). Throws for a
  // message larger than the queue's message size or any other error.
  Status send(std::string_view message, double timeout);

  struct Received {
    Status status = Status::TimedOut;
    std::string data;
  };
  // Waits up to `timeout` seconds for a message (0: not at all).
  Received receive(double timeout);

  const std::string& name() const { return name_; }
  long message_size() const { return message_size_; }
  long pending() const;  // messages in the queue now
  ino_t inode() const;   // identifies the queue object behind the name

 private:
  MessageQueue(std::string name, mqd_t q);
  void check_private(long message_size) const;

  std::string name_;
  mqd_t q_ = static_cast<mqd_t>(-1);
  long message_size_ = 0;
  std::string buffer_;
};

}  // namespace pj::judge
