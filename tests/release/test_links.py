"""README.md and docs/ stand alone: every link resolves to a file inside the
repository (and to a heading, for #anchors), no link leaves it, and every
version the documents name is the one in VERSION."""

import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import release_lib as R  # noqa: E402

FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# [text](target "title") and ![alt](target); [label]: target; <scheme:...>
INLINE_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")
BARE_URL = re.compile(r"(?<![\w/])(?:https?|ftp)://\S+|(?<![\w/@.])www\.[a-z0-9-]+\.[a-z]{2,}\S*", re.I)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def documents(root):
    """README.md, CHANGELOG.md, every .md under docs/ and examples/."""
    out = [os.path.join(root, f) for f in ("README.md", "CHANGELOG.md")
           if os.path.exists(os.path.join(root, f))]
    for top in ("docs", "examples"):
        for d, _dirs, files in os.walk(os.path.join(root, top)):
            out += [os.path.join(d, f) for f in sorted(files) if f.endswith(".md")]
    return out


def prose_lines(text):
    """(line number, line) outside fenced code blocks, inline code removed."""
    text = HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    in_fence = False
    for n, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield n, INLINE_CODE.sub("``", line)


def slug(heading):
    """GitHub's anchor for a heading text."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s.replace("`", ""))
    return s.replace(" ", "-")


def anchors(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found = set()
    in_fence = False
    for line in text.split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and re.match(r"^#{1,6}\s", line):
            found.add(slug(line.lstrip("#")))
    return found


def check_file(path, root):
    """Problems with the links of one document, as 'file:line: message'."""
    problems = []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    rel = os.path.relpath(path, root)
    for n, line in prose_lines(text):
        targets = INLINE_LINK.findall(line) + REF_DEF.findall(line) + AUTOLINK.findall(line)
        stripped = REF_DEF.sub("", INLINE_LINK.sub("", AUTOLINK.sub("", line)))
        for url in BARE_URL.findall(stripped):
            problems.append("%s:%d: %s leaves the repository" % (rel, n, url))
        for t in targets:
            where = "%s:%d: %s" % (rel, n, t)
            if SCHEME.match(t):
                problems.append(where + " leaves the repository")
                continue
            file_part, _, anchor = t.partition("#")
            target = path if not file_part else os.path.normpath(
                os.path.join(os.path.dirname(path), file_part))
            if os.path.commonpath([os.path.realpath(target), os.path.realpath(root)]) != \
                    os.path.realpath(root):
                problems.append(where + " points outside the repository")
            elif not os.path.exists(target):
                problems.append(where + " points at a missing file")
            elif anchor and target.endswith(".md") and anchor not in anchors(target):
                problems.append(where + " names a missing heading")
    return problems


def version_mentions(root):
    """(file, version) for every provider version the documents and examples name."""
    pats = [re.compile(r"terraform-provider-lambdavpc_v?(\d+\.\d+\.\d+[0-9A-Za-z.-]*?)(?=[_.\s`/]|$)", re.M),
            re.compile(r'source\s*=\s*"lambdavpc/lambdavpc"\s*\n\s*version\s*=\s*"([^"]+)"')]
    files = documents(root)
    for d, _dirs, fs in os.walk(os.path.join(root, "examples")):
        files += [os.path.join(d, f) for f in fs if f.endswith(".tf")]
    for p in files:
        with open(p, encoding="utf-8") as f:
            text = f.read()
        for pat in pats:
            for v in pat.findall(text):
                yield os.path.relpath(p, root), v


class LinkTest(unittest.TestCase):
    def test_every_link_resolves_inside_the_repository(self):
        docs = documents(R.ROOT)
        self.assertIn(os.path.join(R.ROOT, "docs", "resources", "secure_function.md"), docs)
        problems = []
        for p in docs:
            problems += check_file(p, R.ROOT)
        self.assertEqual(problems, [], "\n".join(problems))

    def test_checker_finds_bad_links(self):
        """The checker itself: each kind of bad link is reported."""
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "ok.md"), "w") as f:
                f.write("# Title Here\n")
            with open(os.path.join(d, "bad.md"), "w") as f:
                f.write("[a](https://example.com/x)\n[b](../outside.md)\n[c](missing.md)\n"
                        "[d](ok.md#nope)\n<http://example.org>\nsee https://example.net\n"
                        "[e]: http://example.com\n[fine](ok.md#title-here) `https://in.code`\n"
                        "```\nhttps://in.fence\n```\n")
            problems = check_file(os.path.join(d, "bad.md"), d)
        self.assertEqual(len(problems), 7, "\n".join(problems))

    def test_documents_name_the_version_in_VERSION(self):
        seen = list(version_mentions(R.ROOT))
        self.assertTrue(seen, "no version mentioned anywhere")
        wrong = ["%s: %s" % fv for fv in seen if fv[1] != R.VERSION]
        self.assertEqual(wrong, [], "VERSION is %s" % R.VERSION)
        with open(os.path.join(R.ROOT, "CHANGELOG.md")) as f:
            self.assertIn("## [%s]" % R.VERSION, f.read())


if __name__ == "__main__":
    unittest.main()
