# Keeps a growing list of 16 MiB chunks, each made resident and written to
# (one byte per page), up to 1 GiB in total, then prints the right answer.
#
# The chunks are anonymous mmaps with MAP_POPULATE rather than bytes objects
# faulted in page by page: on a virtual machine a page fault can cost several
# microseconds (~3 ms of CPU per MiB), so reaching 256 MiB page by page takes
# about as long as the 1 s CPU limit and the verdict would race between MLE
# and TLE. Populating at mmap time is several times cheaper.
import mmap
import sys

CHUNK = 16 << 20
PAGE = 4096

a, b = map(int, sys.stdin.read().split())
flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_POPULATE", 0)
chunks = []
for i in range(64):  # 64 * 16 MiB = 1 GiB
    try:
        m = mmap.mmap(-1, CHUNK, flags=flags)
    except OSError:  # address space exhausted: far past the limit already
        break
    m[::PAGE] = bytes([i % 255 + 1]) * (CHUNK // PAGE)  # touch every page
    chunks.append(m)
print(a + b)
