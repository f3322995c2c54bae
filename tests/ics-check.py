#!/usr/bin/env python3
"""ics-check.py: check the structure of an iCalendar file (RFC 5545), for the agenda tests.

    ics-check.py FILE [--forbid TEXT]... [--events N]

Checks what a phone's calendar relies on when it imports the file: CRLF line
ends and nothing else, content lines of at most 75 octets (longer ones folded
with CRLF and a space), valid UTF-8 without control characters, NAME[;PARAM]:VALUE
lines, BEGIN/END that nest and match, one VCALENDAR with VERSION:2.0 and a
PRODID, and in each VEVENT exactly one UID (unique in the file), DTSTAMP
(UTC date-time) and DTSTART (a DATE with VALUE=DATE, or a date-time), at most
one of DTEND and DURATION, DTEND after DTSTART, and TEXT values (SUMMARY,
LOCATION, DESCRIPTION) whose backslash escapes are valid and whose commas and
semicolons are escaped.  --forbid TEXT fails if TEXT occurs in any unescaped
value (names that must not leave the device); --events N fails unless the file
has N events.  Prints one line per problem and exits 1, or prints "ok: N events".
"""
import re
import sys

TEXT_PROPS = {"SUMMARY", "LOCATION", "DESCRIPTION", "COMMENT"}
NAME = re.compile(r"^[A-Za-z0-9-]+$")
DATE = re.compile(r"^\d{8}$")
DATETIME = re.compile(r"^\d{8}T\d{6}Z?$")
UTC = re.compile(r"^\d{8}T\d{6}Z$")
DURATION = re.compile(r"^[+-]?P(\d+W|(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?)$")


def unescape(value, problems, where):
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            if i + 1 >= len(value) or value[i + 1] not in "\\;,nN":
                problems.append(f"{where}: a backslash escapes nothing valid")
                return "".join(out)
            out.append("\n" if value[i + 1] in "nN" else value[i + 1])
            i += 2
            continue
        if c in ",;":
            problems.append(f"{where}: an unescaped '{c}' in a text value")
        out.append(c)
        i += 1
    return "".join(out)


def split_line(line):
    """NAME, {PARAM: VALUE}, VALUE of a content line (quoted parameter values allowed)."""
    i, n = 0, len(line)
    while i < n and line[i] not in ";:":
        i += 1
    name, params = line[:i], {}
    while i < n and line[i] == ";":
        j = i + 1
        while j < n and line[j] not in "=":
            j += 1
        pname = line[i + 1:j]
        j += 1
        if j < n and line[j] == '"':
            k = line.index('"', j + 1)
            pval, j = line[j + 1:k], k + 1
        else:
            k = j
            while k < n and line[k] not in ";:":
                k += 1
            pval, j = line[j:k], k
        params[pname.upper()] = pval
        i = j
    if i >= n or line[i] != ":":
        return None
    return name, params, line[i + 1:]


def main(argv):
    forbid, want, path = [], None, None
    args = iter(argv[1:])
    for a in args:
        if a == "--forbid":
            forbid.append(next(args))
        elif a == "--events":
            want = int(next(args))
        else:
            path = a
    data = open(path, "rb").read()
    problems = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"not UTF-8: {e}")
        return 1
    if not text.endswith("\r\n"):
        problems.append("the file does not end with CRLF")
    raw = text.split("\r\n")
    if raw and raw[-1] == "":
        raw.pop()
    lines = []   # (physical line number, unfolded content line)
    for no, r in enumerate(raw, 1):
        if "\n" in r or "\r" in r:
            problems.append(f"line {no}: a bare LF or CR (lines end with CRLF)")
        if len(r.encode("utf-8")) > 75:
            problems.append(f"line {no}: {len(r.encode('utf-8'))} octets (at most 75; fold longer lines)")
        if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in r):
            problems.append(f"line {no}: a control character")
        if r.startswith((" ", "\t")):
            if not lines:
                problems.append(f"line {no}: a continuation with nothing to continue")
                continue
            lines[-1] = (lines[-1][0], lines[-1][1] + r[1:])
        else:
            lines.append((no, r))
    stack, events, uids, cal_props = [], 0, set(), {}
    event = None
    for no, line in lines:
        where = f"line {no}"
        parts = split_line(line)
        if parts is None or not NAME.match(parts[0]):
            problems.append(f"{where}: not NAME[;PARAM=VALUE]:VALUE: {line[:40]!r}")
            continue
        name, params, value = parts
        name = name.upper()
        if not stack and name != "BEGIN":
            problems.append(f"{where}: {name} outside any component")
        if name == "BEGIN":
            if not stack and value != "VCALENDAR":
                problems.append(f"{where}: the file must start with BEGIN:VCALENDAR")
            if stack and stack[0] != "VCALENDAR":
                problems.append(f"{where}: BEGIN:{value} after the calendar ended")
            stack.append(value)
            if value == "VEVENT":
                event = {}
                events += 1
            continue
        if name == "END":
            if not stack or stack[-1] != value:
                problems.append(f"{where}: END:{value} does not close {stack[-1] if stack else 'anything'}")
            else:
                stack.pop()
            if value == "VEVENT" and event is not None:
                for need in ("UID", "DTSTAMP", "DTSTART"):
                    if len(event.get(need, [])) != 1:
                        problems.append(f"{where}: the event has {len(event.get(need, []))} {need} (needs one)")
                if "DTEND" in event and "DURATION" in event:
                    problems.append(f"{where}: the event has both DTEND and DURATION")
                if "DTEND" in event and "DTSTART" in event and event["DTEND"][0][:8] < event["DTSTART"][0][:8]:
                    problems.append(f"{where}: the event ends before it starts")
                event = None
            continue
        if event is not None:
            event.setdefault(name, []).append(value)
            if name == "UID":
                if value in uids:
                    problems.append(f"{where}: UID {value} twice")
                uids.add(value)
            elif name == "DTSTAMP" and not UTC.match(value):
                problems.append(f"{where}: DTSTAMP {value!r} is not a UTC date-time")
            elif name in ("DTSTART", "DTEND"):
                if params.get("VALUE") == "DATE":
                    if not DATE.match(value):
                        problems.append(f"{where}: {name} {value!r} is not a DATE")
                elif not DATETIME.match(value):
                    problems.append(f"{where}: {name} {value!r} is not a DATE-TIME")
            elif name == "DURATION" and not DURATION.match(value):
                problems.append(f"{where}: DURATION {value!r} is not a duration")
        elif stack == ["VCALENDAR"]:
            cal_props.setdefault(name, []).append(value)
        if name in TEXT_PROPS:
            value = unescape(value, problems, where)
        for f in forbid:
            if f in value:
                problems.append(f"{where}: {name} contains {f!r}")
    if stack:
        problems.append(f"components left open: {' '.join(stack)}")
    if cal_props.get("VERSION") != ["2.0"]:
        problems.append("the calendar needs exactly one VERSION:2.0")
    if len(cal_props.get("PRODID", [])) != 1:
        problems.append("the calendar needs exactly one PRODID")
    if want is not None and events != want:
        problems.append(f"{events} events, expected {want}")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"ok: {events} events")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
