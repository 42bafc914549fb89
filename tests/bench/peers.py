#!/usr/bin/python3
"""The Python peers of the newswatch benchmarks, each printing one JSON line like the C++ programs.
Run with Debian's /usr/bin/python3 (python3-feedparser). CPU time (time.process_time), as the C++
side measures, so other load on the shared machine does not count.

  peers.py parse FILE_LIST [--budget S]          feedparser over the files: items/s
  peers.py match CORPUS TERMS [--budget S]       one `re` alternation of \\b-escaped terms, IGNORECASE
  peers.py pipeline TERMS FILE...                feedparser, NFKD + casefold, whole-word set lookup,
                                                 alert JSON to stdout: what a competent Python user
                                                 would write; scripts/bench times the whole command
"""
import argparse
import hashlib
import json
import re
import sys
import time
import unicodedata


def emit(record):
    print(json.dumps(record), flush=True)


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def parse_feed(document):
    """feedparser.parse, or None where it raises (a few fixture files crash feedparser 6.0.10)."""
    import feedparser
    try:
        return feedparser.parse(document)
    except Exception:  # noqa: BLE001 - a crash on one file must not end the run
        return None


def bench_parse(args):
    documents = []
    for path in read_lines(args.file_list):
        with open(path, "rb") as f:
            documents.append(f.read())
    items = passes = crashed = 0
    start = time.process_time()
    elapsed = 0.0
    while passes == 0 or elapsed < args.budget:
        for document in documents:
            parsed = parse_feed(document)
            if parsed is None:
                crashed += 1
            else:
                items += len(parsed.entries)
        passes += 1
        elapsed = time.process_time() - start
    emit({"bench": "parse", "impl": "python-feedparser", "files": len(documents),
          "crashed_per_pass": crashed // passes, "items_per_pass": items // passes,
          "passes": passes, "cpu_s": round(elapsed, 3), "items_per_s": round(items / elapsed)})


def bench_match(args):
    with open(args.corpus, encoding="utf-8", errors="replace") as f:
        articles = f.read().split("\n\x1e\n")
    terms = read_lines(args.terms)
    start = time.process_time()
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(term) for term in terms) + r")\b", re.IGNORECASE)
    compile_s = time.process_time() - start
    matched_bytes = matches = done = 0
    start = time.process_time()
    elapsed = 0.0
    # One pass over the corpus at most, stopped at the budget: at thousands of terms `re` tries every
    # alternative at every position and a full pass would take hours.
    for article in articles:
        matches += sum(1 for _ in pattern.finditer(article))
        matched_bytes += len(article.encode("utf-8")) - 2  # the two newlines joining the fields
        done += 1
        elapsed = time.process_time() - start
        if elapsed >= args.budget:
            break
    emit({"bench": "match", "impl": "python-re", "terms": len(terms), "compile_s": round(compile_s, 3),
          "articles_done": done, "articles": len(articles), "megabytes_done": round(matched_bytes / 1e6, 3),
          "matches": matches, "cpu_s": round(elapsed, 3), "capped": done < len(articles),
          "mb_per_s": round(matched_bytes / 1e6 / elapsed, 4)})


def normalise(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


WORD = re.compile(r"\w+")


def bench_pipeline(args):
    load_start = time.process_time()
    terms = {}
    longest = 1
    for term in read_lines(args.terms):
        words = tuple(WORD.findall(normalise(term)))
        if words:
            terms[words] = term
            longest = max(longest, len(words))
    load_s = time.process_time() - load_start
    start = time.process_time()
    articles = alerts = 0
    seen = set()
    out = sys.stdout
    for path in args.files:
        with open(path, "rb") as f:
            feed = parse_feed(f.read())
        if feed is None:
            continue
        for entry in feed.entries:
            articles += 1
            identity = entry.get("link") or ("file://" + path + " " + entry.get("id", ""))
            if identity in seen:
                continue
            seen.add(identity)
            text = " \n ".join([entry.get("title", ""), entry.get("summary", "")] +
                               [c.get("value", "") for c in entry.get("content", [])])
            words = WORD.findall(normalise(text))
            hits = []
            for i in range(len(words)):
                for n in range(1, longest + 1):
                    term = terms.get(tuple(words[i:i + n]))
                    if term is not None:
                        hits.append(term)
            if hits:
                alerts += 1
                out.write(json.dumps({"alert_id": hashlib.sha256(identity.encode()).hexdigest(),
                                      "title": entry.get("title", ""), "link": entry.get("link", ""),
                                      "feed": feed.feed.get("title", ""), "matches": hits[:200]}) + "\n")
    elapsed = time.process_time() - start
    print(json.dumps({"bench": "pipeline", "impl": "python", "terms": len(terms), "load_s": round(load_s, 3),
                      "files": len(args.files), "articles": articles, "alerts": alerts,
                      "cpu_s": round(elapsed, 3), "articles_per_s": round(articles / elapsed)}), file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    parse = commands.add_parser("parse")
    parse.add_argument("file_list")
    parse.add_argument("--budget", type=float, default=1.0)
    match = commands.add_parser("match")
    match.add_argument("corpus")
    match.add_argument("terms")
    match.add_argument("--budget", type=float, default=10.0)
    pipeline = commands.add_parser("pipeline")
    pipeline.add_argument("terms")
    pipeline.add_argument("files", nargs="*")
    pipeline.add_argument("--files-from", help="a file listing more files, one path a line")
    args = parser.parse_args()
    if args.command == "pipeline" and args.files_from:
        args.files += [line for line in read_lines(args.files_from) if line]
    {"parse": bench_parse, "match": bench_match, "pipeline": bench_pipeline}[args.command](args)


if __name__ == "__main__":
    main()
