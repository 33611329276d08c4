# Asks one question, reads the reply, then exits with status 3: a run-time error.
import sys

print("? 500000000", flush=True)
sys.stdin.readline()
sys.exit(3)
