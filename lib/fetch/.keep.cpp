// placeholder translation unit until the stage lands; keeps the static library non-empty
