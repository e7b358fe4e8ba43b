#!/usr/bin/env bash
# gemm_spills.sh OBJ - checks the generated code of gemm's full-tile micro-kernels
# (src/backend/gemm_kernels.cpp) in the object file OBJ: in the loop over k of tile_avx512<8> and
# tile_avx2<6>, the register tile must be all FMAs on registers (16 zmm / 12 ymm vfmadd per k, a multiple when the compiler unrolls, as clang does) and no
# instruction may store to the stack (a spilled accumulator: a memory destination on %rsp/%rbp).
# Exit 0 when both pass (or the object has no x86 kernels: another target), 1 otherwise.
# `make kernel-check` runs it; `make test` too.
set -euo pipefail
obj=${1:?usage: gemm_spills.sh build/obj/src/backend/gemm_kernels.o}
command -v objdump >/dev/null || { echo "kernel-check: objdump not found (binutils)"; exit 1; }
dis=$(objdump -d -C --no-show-raw-insn "$obj")
fail=0
HEX='function hex(x,  i, n) { n = 0; for (i = 1; i <= length(x); ++i) n = n * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1; return n }'
check() {  # name, register class, expected FMA count
  local body loop start end fmas spills
  body=$(printf '%s\n' "$dis" | awk -v f="$1" 'index($0, f) && /^[0-9a-f]+ <.*>:$/ {p=1; next} p && /^$/ {p=0} p')
  if [ -z "$body" ]; then
    if printf '%s\n' "$dis" | grep -q 'tile_avx'; then echo "kernel-check: $1 not found in $obj"; fail=1; fi
    return
  fi
  # The loop over k: the first conditional backward jump in the function, back to its target.
  loop=$(printf '%s\n' "$body" | awk "$HEX"' $2 ~ /^j/ && $2 != "jmp" && $3 ~ /^[0-9a-f]+$/ && !e { a = hex(substr($1, 1, length($1) - 1)); t = hex($3); if (t < a) { s = t; e = a } } END { if (e) printf "%d %d\n", s, e }')
  read -r start end <<<"$loop"
  local inloop
  inloop=$(printf '%s\n' "$body" | awk -v s="$start" -v e="$end" "$HEX"' { a = hex(substr($1, 1, length($1) - 1)) } a >= s && a <= e')
  fmas=$(printf '%s\n' "$inloop" | grep -cE "vfmadd[0-9]+ps .*%$2" || true)
  spills=$(printf '%s\n' "$inloop" | grep -E '\s[vk]?mov[a-z0-9]*\s.*,[-0-9a-fx]*\(%r[sb]p[^)]*\)' || true)
  if [ "$fmas" -eq 0 ] || [ $((fmas % $3)) -ne 0 ] || [ -n "$spills" ]; then
    echo "kernel-check: $1: $fmas $2 FMAs in its k loop (want a multiple of $3), stack stores: ${spills:-none}"
    fail=1
  else
    echo "kernel-check: $1: $fmas $2 FMAs in its k loop, no stack stores"
  fi
}
check 'tile_avx512<8>' zmm 16
check 'tile_avx2<6>' ymm 12
exit $fail
