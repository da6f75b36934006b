# stickyos gdb session setup: kernel symbols and the sticky-* commands
# (tools/gdb/stickyos.py; `help user-defined` does not list them, `apropos sticky` does).
#   gdb -x tools/gdb/stickyos.gdb -ex sticky-connect        (from the repository root)
# `make debug` starts QEMU paused and runs exactly this.
source tools/gdb/stickyos.py
