#!/usr/bin/python3
# docs-check.py: the option table (as `feedmux check --example` prints it)
# against feedmux.conf(5) and conf/feedmux.conf.  Every option of every
# section is in the man page's list for that section and nothing else is;
# each default the table has is the man page's "The default is" value, and
# options without one have none there; conf/feedmux.conf shows every option
# of each section, set or commented out.  Prints one line per problem.
#
#   docs-check.py EXAMPLE-OUTPUT MANPAGE CONF VERSION
import re
import sys


def table(path):
    """(section, name) -> default or None, from the generated example."""
    opts = {}
    section = None
    prev = ""
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        m = re.match(r'^;?\[(\w+)', line)
        if m:
            section = m.group(1)
        m = re.match(r'^;(\w+) = (.*)$', line)
        if m:
            example = "the value shown is an example" in prev
            opts[(section, m.group(1))] = None if example else m.group(2)
        prev = line
    return opts


def manpage(path, version):
    """(section, name) -> default or None, from the .Ss lists of the page."""
    opts = {}
    section = None
    current = None
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r'^\.Ss The \[(\w+)', line)
        if m:
            section = m.group(1)
            current = None
            continue
        if line.startswith(".Sh"):
            section = None
            current = None
            continue
        m = re.match(r'^\.It Ic (\w+)', line)
        if m and section is not None:
            current = (section, m.group(1))
            if current in opts:
                print("man page lists %s twice" % (current,))
            opts[current] = None
            continue
        if current and line == "The default is" and i + 1 < len(lines):
            m = re.match(r'^\.Ql (.*) \.$', lines[i + 1])
            if not m:
                print("man page: unparsable default for %s" % (current,))
                continue
            opts[current] = m.group(1).replace("VERSION", version)
    return opts


def conffile(path):
    """(section, name) shown in the example config, set or commented."""
    seen = set()
    section = None
    for line in open(path, encoding="utf-8"):
        m = re.match(r'^;?\[(\w+)', line)
        if m:
            section = m.group(1)
        m = re.match(r'^;?(\w+) = ', line)
        if m and section:
            seen.add((section, m.group(1)))
    return seen


def main():
    example, man, conf, version = sys.argv[1:5]
    t = table(example)
    m = manpage(man, version)
    c = conffile(conf)
    bad = 0
    if len(t) < 10:
        print("only %d options in the table output" % len(t))
        bad += 1
    for key in sorted(set(t) | set(m), key=str):
        if key not in m:
            print("option %s [%s] is not in feedmux.conf.5" % (key[1], key[0]))
            bad += 1
        elif key not in t:
            print("feedmux.conf.5 documents %s [%s], which is no option"
                  % (key[1], key[0]))
            bad += 1
        elif t[key] != m[key]:
            print("default of %s [%s]: table %r, man page %r"
                  % (key[1], key[0], t[key], m[key]))
            bad += 1
    for key in sorted(t, key=str):
        if key not in c:
            print("option %s [%s] is not in conf/feedmux.conf" % (key[1], key[0]))
            bad += 1
    print("%d options checked, %d problems" % (len(t), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
