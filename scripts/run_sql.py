#!/usr/bin/env python3
"""Runs a script from `docket compile` in an SQL engine and prints the
findings its last statement returns, one JSON object per line.

    run_sql.py duckdb SCRIPT…

Used by the differential tests (tests/sql.rs) and by hand."""

import json
import sys


def statements(text):
    """The script's statements, split at `;` that end a line (the compiler
    writes one statement per `;` at a line end, none inside literals)."""
    out, cur = [], []
    for line in text.splitlines():
        if line.lstrip().startswith("--") and not cur:
            continue
        cur.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(cur).rstrip().rstrip(";"))
            cur = []
    if "".join(cur).strip():
        out.append("\n".join(cur))
    return out


def run_duckdb(text):
    import duckdb

    import tempfile

    con = duckdb.connect()
    # Spill (if ever) into a temporary directory, never the working one.
    con.execute(f"SET temp_directory = '{tempfile.mkdtemp(prefix='docket-duckdb-')}'")
    stmts = statements(text)
    for s in stmts[:-1]:
        con.execute(s)
    cur = con.execute(stmts[-1])
    names = [d[0] for d in cur.description]
    return names, cur.fetchall()


def main():
    """run_sql.py ENGINE SCRIPT…: the findings of each script, one JSON
    object per line with the script's path in `script`."""
    engine, paths = sys.argv[1], sys.argv[2:]
    for path in paths:
        text = open(path, encoding="utf-8").read()
        if engine == "duckdb":
            names, rows = run_duckdb(text)
        else:
            sys.exit(f"unknown engine {engine}")
        for row in rows:
            rec = dict(zip(names, row))
            d = rec.get("deadline")
            if d is not None:
                rec["deadline"] = int(d.timestamp() * 1000)
            rec["script"] = path
            print(json.dumps(rec, default=str))


if __name__ == "__main__":
    main()
