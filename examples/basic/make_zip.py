#!/usr/bin/env python3
"""Builds lambda.zip from handler.py, byte-for-byte reproducibly.

usage: python3 make_zip.py [OUT_DIR]   (default: this directory)

The zip entry has a fixed timestamp and mode, so the same handler.py always
gives the same bytes and the same source_code_hash: a rebuild is no change.
"""
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else HERE
    with open(os.path.join(HERE, "handler.py"), "rb") as f:
        data = f.read()
    info = zipfile.ZipInfo("handler.py", date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o100644 << 16
    info.create_system = 3
    info.compress_type = zipfile.ZIP_DEFLATED
    path = os.path.join(out_dir, "lambda.zip")
    with zipfile.ZipFile(path + ".tmp", "w") as z:
        z.writestr(info, data)
    os.replace(path + ".tmp", path)
    print(path)


if __name__ == "__main__":
    main()
