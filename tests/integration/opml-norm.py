#!/usr/bin/python3
# opml-norm.py: prints an OPML list's feeds in a canonical form, one line
# per feed, sorted: its xmlUrl, its text, the path of folder texts it sits
# in, and its category attribute's paths (sorted), so two lists with the
# same feeds, folders and categories print the same.  Uses the standard
# library's XML parser, which refuses entity declarations here.
import sys
import xml.etree.ElementTree as ET


def walk(node, path, out):
    for o in node.findall("outline"):
        url = o.get("xmlUrl")
        text = o.get("text") or o.get("title") or ""
        if url is None:
            walk(o, path + [text], out)
            continue
        cats = sorted(c.strip() for c in (o.get("category") or "").split(",")
                      if c.strip())
        out.append("%s\t%s\t/%s\t%s" % (url, text, "/".join(path),
                                        ",".join(cats)))


def main():
    data = open(sys.argv[1], "rb").read()
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        sys.exit("refusing a DOCTYPE")
    root = ET.fromstring(data)
    body = root.find("body")
    out = []
    walk(body, [], out)
    for line in sorted(out):
        print(line)


if __name__ == "__main__":
    main()
