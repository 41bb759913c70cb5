"""Checks an executed notebook: no error outputs, no Go panic on stderr, no
failed shell command (GoNB's `!cmd` prints "exit status N" on stderr and goes
on to the next cell), and every output the notebook's metadata["neurotopics"]["expect"] asks for.

Each expectation is {"mime": "text/html", "contains": "..."}: some output of
that MIME type (or stream, for "stream") must contain the text. One with
"when": "browser" is only checked by the browser test
(scripts/browser/check-notebooks.mjs, which runs the widgets), one with
"when": "headless" only here.
Usage: /usr/bin/python3 check_outputs.py EXECUTED.ipynb
"""
import json, re, sys

def main(path):
    nb = json.load(open(path))
    problems, texts = [], {}
    for i, cell in enumerate(nb["cells"]):
        for o in cell.get("outputs", []):
            t = o.get("output_type")
            if t == "error":
                problems.append(f"cell {i}: error {o.get('ename')}: {o.get('evalue', '')[:300]}")
            elif t == "stream":
                text = "".join(o.get("text", ""))
                texts.setdefault("stream", []).append(text)
                if o.get("name") == "stderr" and ("panic:" in text or "goroutine " in text and "[running]" in text):
                    problems.append(f"cell {i}: Go panic on stderr: {text[:300]}")
                if o.get("name") == "stderr" and re.search(r"(?m)^exit status [1-9][0-9]*$", text):
                    problems.append(f"cell {i}: a shell command failed: {text[-300:]}")
            else:
                for mime, data in o.get("data", {}).items():
                    texts.setdefault(mime, []).append("".join(data) if isinstance(data, list) else str(data))
    expect = nb.get("metadata", {}).get("neurotopics", {}).get("expect", [])
    if not expect:
        problems.append("metadata.neurotopics.expect lists no key outputs to check")
    for e in expect:
        if e.get("when", "headless") != "headless":
            continue
        if not any(e["contains"] in t for t in texts.get(e["mime"], [])):
            problems.append(f"no {e['mime']} output contains {e['contains']!r}")
    if problems:
        print(f"{path}: FAILED")
        for p in problems:
            print("  -", p)
        return 1
    print(f"{path}: ok ({sum(e.get('when', 'headless') == 'headless' for e in expect)} key outputs found)")
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
