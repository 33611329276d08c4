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
// `reuse`: write over one of the directory's spare files (retire_file), if
// there is one, instead of making a new file.
void write_file_atomically(const std::filesystem::path& dir, const std::string& name,
                           std::string_view data, bool sync, bool sync_dir = true,
                           bool reuse = false);

// Instead of removing dir/name: keeps it as the directory's spare file
// number `slot` modulo kSpareSlots (what was there goes), for
// write_file_atomically to write over. On ext4 without a journal a new
// inode skips every one freed in the last 5-35 s (fs/ext4/ialloc.c), so a
// directory that makes and removes thousands of files a minute pays more
// for each new one the busier it is; a used file costs nothing of the kind.
inline constexpr unsigned kSpareSlots = 64;
void retire_file(const std::filesystem::path& dir, const std::string& name, unsigned slot);
// Whether `name` is a spare file's.
bool is_spare_name(const std::string& name);

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
