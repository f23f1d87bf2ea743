#!/usr/bin/python3
"""
Many simulated cameras behind one GStreamer RTSP server (benchmarks with dozens of cameras):
mounts /cam1 … /camN on one RTSP port, each fed by its own MPEG-TS-over-UDP input socket
exactly like rtsp-server.py's single mount (whose pipeline and helpers it reuses), so a
benchmark with 40 cameras runs one Python process instead of 40.

Ready line on stdout:
  {"event": "ready", "port": 8554, "inputPorts": [40000, ...], "mounts": ["/cam1", ...], "pid": 1234}
It exits when its stdin closes or on SIGTERM/SIGINT (as rtsp-server.py).
"""
import argparse
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("rtsp_server", os.path.join(HERE, "rtsp-server.py"))
single = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(single)
GLib, GstRtspServer, Gst = single.GLib, single.GstRtspServer, single.Gst


def parse_args():
    p = argparse.ArgumentParser(description="N-mount live RTSP server fed by MPEG-TS over UDP")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--mounts", type=int, required=True, help="number of mounts /cam1 … /camN")
    args = p.parse_args()
    args.user = ""
    args.password = ""
    # The fleet's cameras send H.264 (make_factory reads the codec the single server takes as --codec).
    args.codec = "h264"
    return args


def main():
    args = parse_args()
    Gst.init(None)
    loop = GLib.MainLoop()
    server = GstRtspServer.RTSPServer()
    server.set_address(args.host)
    server.set_service(str(args.port))
    inputs, mounts = [], []
    for i in range(1, args.mounts + 1):
        try:
            py_sock, g_sock = single.open_input(0)
        except OSError as err:
            single.emit("error", message="cannot bind a UDP input: %s" % err)
            return 2
        mount = "/cam%d" % i
        server.get_mount_points().add_factory(mount, single.make_factory(args, py_sock, g_sock))
        inputs.append(py_sock.getsockname()[1])
        mounts.append(mount)
    try:
        source_id = server.attach(None)
    except GLib.Error as err:
        single.emit("error", message="cannot listen on %s:%d: %s" % (args.host, args.port, err.message))
        return 2
    if source_id == 0:
        single.emit("error", message="cannot listen on %s:%d (port in use?)" % (args.host, args.port))
        return 2
    single.watch_parent(loop)
    single.emit("ready", port=server.get_bound_port(), inputPorts=inputs, mounts=mounts, pid=os.getpid())
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
