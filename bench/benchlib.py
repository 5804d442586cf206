"""benchlib.py — what the bench scripts share: a free port, CPU ticks of
a process and of the machine, and splicing a section into
docs/performance.md between its markers."""
import os
import socket

TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_ticks(pid):
    """User + system ticks of one process (0 once it is gone)."""
    try:
        f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])
    except OSError:
        return 0


def busy_ticks():
    """Ticks the whole machine was busy (not idle, not waiting for I/O)."""
    f = open("/proc/stat").readline().split()[1:]
    return sum(int(x) for x in f) - int(f[3]) - int(f[4])


def splice(path, lines, begin, end):
    """Put lines (which start with begin and end with end) in place of the
    section between the markers, or at the end of the file."""
    text = open(path).read() if os.path.exists(path) else "# Performance\n"
    if begin in text:
        text = text[:text.index(begin)] + "\n".join(lines) + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    open(path, "w").write(text)
