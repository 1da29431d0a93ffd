#!/usr/bin/env python3
"""Runs a script from `docket compile` in an SQL engine and prints the
findings its last statement returns, one JSON object per line.

    run_sql.py duckdb|spark SCRIPT…

Used by the differential tests (tests/sql.rs) and by hand."""

import json
import os
import re
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


def counts_only():
    """DOCKET_SQL_COUNTS=1: the engine computes every finding but returns
    only their number per rule and status (for measuring big exports
    without moving millions of rows through Python)."""
    return os.environ.get("DOCKET_SQL_COUNTS") == "1"


def run_duckdb(text):
    import duckdb

    import tempfile

    # Spill (if ever) into a temporary directory, never the working one,
    # and remove it afterwards.
    with tempfile.TemporaryDirectory(prefix="docket-duckdb-") as spill:
        con = duckdb.connect()
        con.execute(f"SET temp_directory = '{spill}'")
        stmts = statements(text)
        for s in stmts[:-1]:
            con.execute(s)
        last = stmts[-1]
        if counts_only():
            last = f"SELECT rule, status, count(*) AS count FROM ({last}) GROUP BY ALL"
        cur = con.execute(last)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        con.close()
    return names, rows


def run_spark(texts):
    """Runs scripts one after another in local Spark applications (loopback
    only), a few scripts per application: the JVM warms up once for them,
    and what the driver keeps of a script (its plans) is freed with the
    application. (Scripts run side by side were slower on two cores: the
    driver's planning is most of a small script's time.)"""
    per_app = int(os.environ.get("DOCKET_SPARK_SCRIPTS_PER_APP", "6"))
    for i in range(0, len(texts), per_app):
        yield from spark_app(texts[i : i + per_app])


def spark_app(texts):
    """Runs scripts in one local Spark application, stopped afterwards."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    # Test exports are small: one shuffle partition, and interpreting plans
    # rather than compiling Java for each. DOCKET_SPARK_BIG=1 is for big
    # exports (the measurements in the guide).
    big = os.environ.get("DOCKET_SPARK_BIG") == "1"
    codegen = "true" if big else "false"

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("docket-sql-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "16" if big else "1")
        .config("spark.default.parallelism", "2" if big else "1")
        .config("spark.sql.adaptive.enabled", "true" if big else "false")
        .config("spark.driver.memory", os.environ.get("DOCKET_SPARK_MEMORY", "6g"))
        .config("spark.sql.session.timeZone", "UTC")
        # Small memory pages: a layer of hoisted columns is a chain of
        # sort-merge joins in one task, each sorter holding a page.
        .config("spark.buffer.pageSize", "2m")
        # Keep no history of queries: the driver keeps each one's plan as
        # text, and a compiled policy's plans are large.
        .config("spark.sql.ui.retainedExecutions", "5")
        .config("spark.ui.retainedJobs", "5")
        .config("spark.ui.retainedStages", "5")
        .config("spark.sql.maxPlanStringLength", "100000")
        .config("spark.sql.codegen.wholeStage", codegen)
        .config("spark.sql.codegen.factoryMode", "FALLBACK" if big else "NO_CODEGEN")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")

    try:
        for text in texts:
            stmts = statements(text)
            for st in stmts[:-1]:
                spark.sql(st)
            df = spark.sql(stmts[-1])
            if counts_only():
                df = df.groupBy("rule", "status").count()
            yield df.columns, [tuple(r) for r in df.collect()]
            # Free this script's cached and temporary views.
            spark.catalog.clearCache()
            for st in stmts:
                m = re.match(r"CREATE OR REPLACE TEMPORARY VIEW (`[^`]+`)", st)
                if m:
                    spark.sql(f"DROP VIEW IF EXISTS {m.group(1)}")
    finally:
        spark.stop()


def millis(d):
    """A timestamp as epoch milliseconds (naive ones are UTC)."""
    import calendar

    if d.tzinfo is None:
        return calendar.timegm(d.timetuple()) * 1000 + d.microsecond // 1000
    return int(d.timestamp() * 1000)


def main():
    """run_sql.py ENGINE SCRIPT…: the findings of each script, one JSON
    object per line with the script's path in `script`."""
    engine, paths = sys.argv[1], sys.argv[2:]
    texts = [open(p, encoding="utf-8").read() for p in paths]
    if engine == "duckdb":
        results = (run_duckdb(t) for t in texts)
    elif engine == "spark":
        results = run_spark(texts)
    else:
        sys.exit(f"unknown engine {engine}")
    for path, (names, rows) in zip(paths, results):
        for row in rows:
            rec = dict(zip(names, row))
            d = rec.get("deadline")
            if d is not None:
                rec["deadline"] = millis(d)
            rec["script"] = path
            print(json.dumps(rec, default=str))


if __name__ == "__main__":
    main()
