# hostile: Python list bomb: appends distinct 1 MB strings forever.
# verdicts: MLE, RE
# Expected: MLE (or RE: MemoryError).
# (TLE is also fair if a time limit came first, i.e. the reported peak
# memory is still under the limit: first-touch page faults are slow on
# some VMs; the test checks that.)
chunks = []
i = 0
while True:
    chunks.append(str(i) * (1000000 // len(str(i))))
    i += 1
