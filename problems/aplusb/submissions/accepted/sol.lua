-- Lua 5.4: integers are 64-bit.
local a, b = io.read("n", "n")
print(math.tointeger(a + b))
