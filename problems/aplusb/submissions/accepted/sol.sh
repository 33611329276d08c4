#!/bin/bash
# Bash: `read -d ''` reads up to the end of the input, every token.
read -r -d '' -a tokens
echo $(( tokens[0] + tokens[1] ))
