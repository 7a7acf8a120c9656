#!/usr/bin/env python3
"""Write the first ```c block of README.md to a .c file, so that the build
compiles the README's usage example (tests/abi/meson.build).
Usage: extract_readme_c.py README.md OUT.c"""
import re
import sys

with open(sys.argv[1], encoding='utf-8') as f:
    m = re.search(r'^```c[ \t]*\n(.*?)^```', f.read(), flags=re.S | re.M)
if not m:
    sys.exit('%s: no ```c block found' % sys.argv[1])
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    f.write('/* Extracted from README.md by tests/abi/extract_readme_c.py. */\n')
    f.write(m.group(1))
