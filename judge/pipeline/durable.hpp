// Files that survive a crash whole or not at all, and content hashes.
#pragma once

#include <sys/types.h>
#include <filesystem>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pj::judge {

// Writes `data` to dir/name so that a reader (or a crash) sees the old state
// or the whole new file, never part of it: a temporary file in the same
// directory (mode 0600), written, fsync'ed, renamed over the name, then the
// directory fsync'ed. `sync` false skips both fsyncs (the rename still makes
// it atomic for readers). `sync_dir` false leaves the directory's fsync to the
// caller (fsync_directory), so that one covers many files. Throws
// std::system_error naming the file (ENOSPC: the disk is full).
void write_file_atomically(const std::filesystem::path& dir, const std::string& name,
                           std::string_view data, bool sync, bool sync_dir = true);

// fsync of a directory: the names created or renamed in it are durable.
void fsync_directory(const std::filesystem::path& dir);

// Writes all of `data` to `fd` (a file opened O_APPEND: a log), then
// fdatasync: durable when it returns. Throws std::system_error naming `path`.
void append_durably(int fd, std::string_view data, const std::filesystem::path& path);

// Whether `name` is one of write_file_atomically's temporary files.
bool is_temporary_name(const std::string& name);

// A file's bytes if it is a regular file owned by `uid`, at most `max_bytes`;
// throws std::runtime_error saying which condition failed, std::system_error
// for I/O errors; nullopt if it does not exist.
std::optional<std::string> read_owned_file(const std::filesystem::path& path, uid_t uid,
                                           std::size_t max_bytes);

}  // namespace pj::judge
