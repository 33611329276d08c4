# A test's input is the first pass's: "send" and a word of 1 to 20 letters a-z.
import re
import sys

text = sys.stdin.read()
sys.exit(42 if re.fullmatch(r"send\n[a-z]{1,20}\n", text) else 43)
