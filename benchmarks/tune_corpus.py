"""Choose the corpus components' interpolation weights on the whole development sets.

    python benchmarks/tune_corpus.py --out /tmp/corpora-tuned [--sets ...]

Builds one Kneser-Ney model per component (legal, wiki, literature, modern) with the
shipped model's settings, then finds the lambdas that maximise the dev sets' likelihood
(EM for a linear mixture; every set counts equally, whatever its length), prints them
with each set's perplexity, and finishes the build with them (rounded to 0.01) into
--out.  Only global weights are
tuned, on whole sets, as the dev sets' README allows; the output is recorded in
README.md.
"""

from __future__ import annotations

import argparse

import numpy as np
from common import ROOT, SHARED, dev_set

from vnrestore.build import _symbolize_lines, build_model
from vnrestore.lm import ID_BITS
from vnrestore.segment import BOS, CAPITALIZED_MARK, EOS, UNK

SETS = ("legal", "vanban", "wiki", "news", "reports")


def components() -> dict:
    corpus = SHARED / "corpus"
    return {"legal": [corpus / "legal-phapdien.txt.xz", corpus / "legal-vanban.txt.xz"],
            "wiki": [corpus / "wiki.txt.xz"], "literature": [corpus / "literature-pd.txt.xz"],
            "modern": [corpus / "modern-small.txt.xz"]}


def dev_events(text: str, index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(state, word) of every prediction the LM makes on a dev set, symbolised as the
    build symbolises the corpus (</s> included, <s> never predicted)."""
    states, words = [], []
    unk, bos, eos = index[UNK], index[BOS], index[EOS]
    for seg in _symbolize_lines(text.splitlines()).split("\n"):
        if not seg:
            continue
        ids = [bos]
        for sym in seg.split(" "):
            plain = sym[len(CAPITALIZED_MARK):] if sym.startswith(CAPITALIZED_MARK) and len(sym) > 1 else sym
            ids.append(index.get(sym, index.get(plain, unk)))
        ids.append(eos)
        for i in range(1, len(ids)):
            states.append(ids[i - 1] if i == 1 else (ids[i - 2] << ID_BITS) | ids[i - 1])
            words.append(ids[i])
    return np.array(states, dtype=np.uint64), np.array(words, dtype=np.uint64)


def em(probs: dict[str, np.ndarray], iterations: int = 100) -> np.ndarray:
    """Mixture weights maximising the mean over sets of the mean log-likelihood per
    event; probs[set] has one row per component."""
    k = next(iter(probs.values())).shape[0]
    lam = np.full(k, 1.0 / k)
    for _ in range(iterations):
        share = np.zeros(k)
        for p in probs.values():
            post = lam[:, None] * p
            share += (post / post.sum(axis=0)).mean(axis=1)
        lam = share / len(probs)
    return lam


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for the model built with the tuned weights")
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    args = parser.parse_args()
    golds = {name: dev_set(name) for name in args.sets}
    parts = components()
    weights: dict[str, float] = {}

    def tune(models, vocab):
        index = {s: i for i, s in enumerate(vocab)}
        names = list(models)
        probs = {}
        for name, text in golds.items():
            states, words = dev_events(text, index)
            probs[name] = np.stack([np.exp(models[k].score(states, words)[0].astype(np.float64)) for k in names])
        lam = em(probs)
        print("| set | " + " | ".join(f"perplexity, {k} alone" for k in names) + " | perplexity, mixture |")
        print("|---" * (len(names) + 2) + "|")
        for name, p in probs.items():
            alone = [np.exp(-np.log(row).mean()) for row in p]
            mixed = np.exp(-np.log((lam[:, None] * p).sum(axis=0)).mean())
            print(f"| {name} | " + " | ".join(f"{x:.1f}" for x in alone) + f" | {mixed:.1f} |")
        rounded = np.round(lam, 2)
        weights.update(zip(names, rounded.tolist()))
        print("\nlambdas (EM on the dev sets): " + ", ".join(f"{k} {w:.4f}" for k, w in zip(names, lam)))
        print("--mix interpolate " + " ".join(f"--weight {k}={w:g}" for k, w in weights.items()))

    meta = build_model(parts, ROOT / args.out,  # an absolute --out stays as it is
                       SHARED / "lexicon" / "syllables-soe-vinorm.txt",
                       abbreviations=SHARED / "lexicon" / "abbreviations-soe-vinorm.txt",
                       weights=weights, mix="interpolate", on_components=tune)
    print(f"model written to {args.out}: n-grams {meta['ngrams']}")


if __name__ == "__main__":
    main()
