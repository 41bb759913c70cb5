#!/usr/bin/env python3
"""Reference side of the topic-extraction benchmark: scikit-learn's LDA.

Run by `go run ./bench/topics` (see docs/benchmarks.md); it can also be run
alone. It builds one document per clip exactly as neurotopics does (MSVD .tsv
files read in name order, clips in first-seen order, all captions of a clip
joined), fits sklearn.decomposition.LatentDirichletAllocation (batch learning,
English stop words, min_df=3), times the fit, and writes:

  OUT/sklearn_theta.npy   float32 [clips, K], doc-topic distribution
  OUT/sklearn_clips.txt   clip ids, the rows of sklearn_theta.npy
  OUT/sklearn.json        timings, versions, and the label-derived NPMI of
                          both models in scikit-learn's own representation
                          (also with words ranked by summed tf-idf, a variant)

The label-derived NPMI@10 is computed as in pkg/topics (LabelTopWords and
Cooccurrence.NPMI): each clip is labelled with its top-3 topics by theta; a
topic's top 10 words maximise (share of its clips containing the word) x
ln(N / document frequency); coherence is the mean NPMI of the 45 pairs, with
co-occurrence counted over clips and -1 for pairs that never co-occur; the
model's score is the mean over topics that label at least one clip.

With --go-theta/--go-clips it scores neurotopics' theta the same way, and with
--go-docs (word ids of neurotopics' own documents, one clip a line) it also
recomputes neurotopics' label NPMI on neurotopics' documents, a cross-check of
the two implementations.
"""
import argparse
import glob
import itertools
import json
import os
import time

import numpy as np


def read_msvd(folder):
    docs = {}
    files = sorted(glob.glob(os.path.join(folder, "*.tsv")) + glob.glob(os.path.join(folder, "*.txt")))
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n").rstrip("\r")
                if not line.strip():
                    continue
                clip, caption = line.split("\t", 1)
                docs.setdefault(clip.strip(), []).append(caption.strip())
    return list(docs.keys()), ["\n".join(c) for c in docs.values()], files


def label_npmi(presence, labels, n_top=10, rank_by=None):
    """presence: scipy CSR [docs, words] of 0/1; labels: list of topic lists.

    rank_by, when given, is a [docs, words] matrix whose rows are summed over
    a topic's clips to rank its words instead of share x idf (the variant
    reported as "summed tf-idf")."""
    import scipy.sparse as sp
    B = sp.csr_matrix(presence, dtype=np.float64)
    R = sp.csr_matrix(rank_by) if rank_by is not None else None
    N = B.shape[0]
    df = np.asarray(B.sum(axis=0)).ravel()
    with np.errstate(divide="ignore"):
        idf = np.where(df > 0, np.log(N / np.maximum(df, 1)), 0.0)
    K = max((max(ls) for ls in labels if ls), default=-1) + 1
    Bc = B.tocsc()
    scores = []
    for k in range(K):
        rows = [d for d, ls in enumerate(labels) if k in ls]
        if not rows:
            continue
        if R is not None:
            sc = np.asarray(R[rows].sum(axis=0)).ravel()
        else:
            share = np.asarray(B[rows].sum(axis=0)).ravel() / len(rows)
            sc = share * idf
        top = np.argsort(-sc, kind="stable")[:n_top]
        cols = Bc[:, top].toarray()
        vals = []
        for a, b in itertools.combinations(range(len(top)), 2):
            dab = float((cols[:, a] * cols[:, b]).sum())
            if dab == 0:
                vals.append(-1.0)
                continue
            pab = dab / N
            if pab >= 1:
                vals.append(1.0)
                continue
            pa, pb = df[top[a]] / N, df[top[b]] / N
            vals.append(np.log(pab / (pa * pb)) / -np.log(pab))
        scores.append(np.mean(vals) if vals else 0.0)
    return float(np.mean(scores)), len(scores)


def phi_npmi(components, presence, n_top=10):
    import scipy.sparse as sp
    B = sp.csc_matrix(presence, dtype=np.float64)
    N = B.shape[0]
    df = np.asarray(B.sum(axis=0)).ravel()
    out = []
    for row in components:
        top = np.argsort(-row, kind="stable")[:n_top]
        cols = B[:, top].toarray()
        vals = []
        for a, b in itertools.combinations(range(len(top)), 2):
            dab = float((cols[:, a] * cols[:, b]).sum())
            if dab == 0:
                vals.append(-1.0)
                continue
            pab = dab / N
            vals.append(1.0 if pab >= 1 else np.log(pab / (df[top[a]] / N * df[top[b]] / N)) / -np.log(pab))
        out.append(np.mean(vals))
    return float(np.mean(out))


def top3(theta):
    return [list(r) for r in np.argsort(-theta, axis=1, kind="stable")[:, :3]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="MSVD folder with *.tsv caption files")
    ap.add_argument("--out", required=True, help="folder for outputs")
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--iter", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--min-df", type=int, default=3)
    ap.add_argument("--go-theta", help="neurotopics theta.npy to score in sklearn's representation")
    ap.add_argument("--go-clips", help="clip ids of --go-theta rows, one a line")
    ap.add_argument("--go-docs", help="neurotopics documents: word ids, one clip a line, rows as --go-clips")
    args = ap.parse_args()

    import sklearn
    import scipy
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    os.makedirs(args.out, exist_ok=True)
    clips, texts, files = read_msvd(args.data)
    t0 = time.perf_counter()
    cv = CountVectorizer(stop_words="english", min_df=args.min_df)
    X = cv.fit_transform(texts)
    t1 = time.perf_counter()
    lda = LatentDirichletAllocation(n_components=args.k, learning_method="batch", max_iter=args.iter,
                                    random_state=args.seed)
    c1 = time.process_time()
    lda.fit(X)
    c2 = time.process_time()
    t2 = time.perf_counter()
    theta = lda.transform(X)
    t3 = time.perf_counter()
    np.save(os.path.join(args.out, "sklearn_theta.npy"), theta.astype(np.float32))
    with open(os.path.join(args.out, "sklearn_clips.txt"), "w") as f:
        f.write("".join(c + "\n" for c in clips))

    presence = (X > 0).astype(np.float64)
    res = {
        "files": files, "clips": len(clips), "vocab": int(X.shape[1]), "tokens": int(X.sum()),
        "k": args.k, "max_iter": args.iter, "seed": args.seed, "min_df": args.min_df,
        "vectorize_seconds": t1 - t0, "fit_seconds": t2 - t1, "fit_cpu_seconds": c2 - c1,
        "transform_seconds": t3 - t2,
        "sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
    }
    res["sklearn_label_npmi"], res["sklearn_label_topics"] = label_npmi(presence, top3(theta))
    res["sklearn_phi_npmi"] = phi_npmi(lda.components_, presence)
    from sklearn.feature_extraction.text import TfidfTransformer
    tfidf = TfidfTransformer().fit_transform(X)
    res["sklearn_label_npmi_tfidf_sum"], _ = label_npmi(presence, top3(theta), rank_by=tfidf)
    if args.go_theta:
        go_theta = np.load(args.go_theta)
        go_clips = [l.rstrip("\n") for l in open(args.go_clips, encoding="utf-8")]
        row = {c: i for i, c in enumerate(go_clips)}
        order = [row[c] for c in clips]
        res["go_label_npmi_sklearn_docs"], res["go_label_topics"] = label_npmi(presence, top3(go_theta[order]))
        res["go_label_npmi_tfidf_sum"], _ = label_npmi(presence, top3(go_theta[order]), rank_by=tfidf)
        if args.go_docs:
            import scipy.sparse as sp
            lines = [l.split() for l in open(args.go_docs, encoding="utf-8")]
            V = 1 + max((int(w) for l in lines for w in l), default=0)
            rows_, cols_ = [], []
            for d, l in enumerate(lines):
                for w in set(int(x) for x in l):
                    rows_.append(d)
                    cols_.append(w)
            P = sp.csr_matrix((np.ones(len(rows_)), (rows_, cols_)), shape=(len(lines), V))
            res["go_label_npmi_go_docs"], _ = label_npmi(P, top3(go_theta))
            # sklearn's labels on neurotopics' documents (rows in go order).
            srow = {c: i for i, c in enumerate(clips)}
            res["sklearn_label_npmi_go_docs"], _ = label_npmi(P, top3(theta[[srow[c] for c in go_clips]]))
    with open(os.path.join(args.out, "sklearn.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
