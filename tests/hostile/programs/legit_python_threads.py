# legitimate: a Python 3 solution that runs 4 threads at once (each sleeps
# briefly, then does a little work) under the same limits as the problem
# states.
# verdicts: AC
import sys
import threading
import time

a, b = map(int, sys.stdin.read().split()[:2])
results = [0] * 4


def work(k):
    time.sleep(0.05)  # all 4 threads exist at the same time
    results[k] = sum(i * i for i in range(20000)) * 0 + k


threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(a + b + sum(results) - 6)
