#!/usr/bin/env python3
"""What the bytes of a release binary are: sums the code and data the linker kept, per crate,
from a GNU ld link map (src-tauri/build.rs asks for one on Linux release links).

With fat LTO every Rust function is one input section of one object, named by its mangled
symbol (function sections), so the map attributes each kept function to the crate in its path —
the same figures `cargo bloat --crates` gives, but for the real LTO binary, not a non-LTO copy.
Generic code goes to the crate that owns the type it was instantiated for (`<T as serde::Serialize>`
to T's crate; `drop_in_place<T>` to T's crate; for a std or primitive T, the trait's crate).
C and assembly objects (ring, system libraries) are named by the archive they came from.
Data the compiler left without a name (string literals, constant tables) cannot be attributed
and is shown as one line.

Usage: crate-sizes.py MAP [TOP]   prints the TOP (default 12) largest, then the rest summed.
"""
import re
import subprocess
import sys
from collections import defaultdict

# Output sections whose input sections are per-function or per-item (attributed to crates).
ATTRIBUTED = {".text", ".rodata", ".data.rel.ro", ".data", ".tdata", ".gcc_except_table"}
STD = {"core", "alloc", "std", "hashbrown", "compiler_builtins", "std_detect", "rustc_demangle",
       "adler2", "miniz_oxide", "gimli", "addr2line", "object", "memchr", "panic_abort"}
PRIMITIVE = re.compile(r"^(?:u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64|bool|char|str|\(\)|!)\b")


def demangle(symbols):
    """Demangles Rust symbols (legacy and v0) with binutils' c++filt, dropping crate hashes."""
    out = subprocess.run(["c++filt"], input="\n".join(symbols), capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return [re.sub(r"::h[0-9a-f]{16}$", "", re.sub(r"\[[0-9a-f]+\]", "", d)) for d in out]


def crate_of_type(t):
    t = t.strip()
    while True:
        stripped = re.sub(r"^(?:&(?:'\w+ )?|\*const |\*mut |mut |dyn |impl |\[|\()", "", t)
        if stripped == t:
            break
        t = stripped.strip()
    # A primitive, or a generic parameter (legacy symbols name `<F as Trait>`, not what F was).
    if not t or PRIMITIVE.match(t) or t[0].isupper():
        return None
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(?:::|<|$)", t)
    return m.group(1) if m else None


def split_impl(path):
    """`<A as B>::f` -> (A, B); `<A>::f` -> (A, None)."""
    depth = 0
    for i, c in enumerate(path):
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
            if depth == 0:
                inner = path[1:i]
                break
    else:
        return path, None
    depth = 0
    for i in range(len(inner)):
        c = inner[i]
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif depth == 0 and inner.startswith(" as ", i):
            return inner[:i], inner[i + 4:]
    return inner, None


def crate_of_path(path):
    if path.startswith("<"):
        ty, tr = split_impl(path)
        a = crate_of_type(ty)
        b = crate_of_type(tr) if tr else None
        if a and a not in STD:
            return a
        return b or a or "[std]"
    m = re.match(r"core::ptr::drop_in_place(?:::)?<(.*)>$", path)
    if m:
        return crate_of_type(m.group(1)) or "core"
    return path.split("::", 1)[0]


def crate_of_object(obj):
    m = re.search(r"/build/([A-Za-z0-9_-]+?)-[0-9a-f]{16}/out/", obj)
    if m:
        return m.group(1).replace("-", "_") + " (C/asm)"
    m = re.search(r"/lib([A-Za-z0-9_]+?)-[0-9a-f]{16}\.rlib", obj)
    if m:
        return m.group(1) + " (C/asm)"
    if obj == "<internal>":
        return "[linker: GOT, PLT, relocations]"
    return "[system libraries]"


def main():
    path, top = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 12
    # rust-lld's map: "VMA LMA Size Align Out In Symbol"; an output section line names it in
    # the Out column, each input section below it reads "file:(section)".
    out_line = re.compile(r"^\s*[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+ (\S+)$")
    in_line = re.compile(r"^\s*[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+\s+(.+):\((\S+)\)$")
    items, other = [], defaultdict(int)
    section = None
    with open(path, errors="replace") as f:
        for line in f:
            m = out_line.match(line)
            if m:
                section = m.group(2)
                if section not in ATTRIBUTED and not section.startswith((".debug", ".comment", ".symtab", ".strtab", ".shstrtab", ".bss", ".tbss")):
                    other[section] += int(m.group(1), 16)
                continue
            m = in_line.match(line)
            if not m or section not in ATTRIBUTED:
                continue
            size, obj, name = int(m.group(1), 16), m.group(2), m.group(3)
            if size:
                sym = name[len(section) + 1:] if name.startswith(section + ".") else ""
                items.append((size, obj, re.sub(r"^(?:unlikely|hot|startup|exit)\.", "", sym)))
    names = demangle([sym for _, _, sym in items])
    sizes = defaultdict(int)
    for (size, obj, sym), dm in zip(items, names):
        if sym.startswith(("_ZN", "_R")) and dm != sym:
            crate = crate_of_path(dm)
        elif ".rcgu.o" in obj:
            crate = "[unnamed: literals, tables]" if not sym or sym.startswith(".L") else "[other symbols]"
        else:
            crate = crate_of_object(obj)
        sizes[crate] += size
    total = sum(sizes.values())
    ranked = sorted(sizes.items(), key=lambda kv: -kv[1])
    print(f"{'crate (code and data the linker kept)':<40} {'KiB':>7} {'share':>6}")
    for crate, size in ranked[:top]:
        print(f"{crate:<40} {size / 1024:7.0f} {100 * size / total:5.1f}%")
    rest = sum(s for _, s in ranked[top:])
    print(f"{f'{len(ranked) - top} other crates':<40} {rest / 1024:7.0f} {100 * rest / total:5.1f}%")
    print(f"{'total attributed':<40} {total / 1024:7.0f}")
    for name, size in sorted(other.items(), key=lambda kv: -kv[1])[:4]:
        print(f"{'  plus ' + name:<40} {size / 1024:7.0f}")


if __name__ == "__main__":
    main()
