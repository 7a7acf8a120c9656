"""Files the interop suite puts on every server (deterministic contents)."""
import random

SEED = random.Random(959).randbytes(1 << 20)          # 1 MiB: seed.bin
BIG = random.Random(4217).randbytes(8 << 20)          # 8 MiB: big.bin, for ABOR
