#!/usr/bin/python3
"""
A one-mount RTSP server for the simulated camera (tests and demo), built on GStreamer's
RTSP server through GObject introspection. Run it with Debian's /usr/bin/python3 (it has gi).

The picture comes live from the Node side as H.264 in MPEG-TS over UDP on loopback
(--input-port); one shared media pipeline re-payloads it as RTP, so every client sees the
same live stream and can join at any time (the publisher sends a keyframe at least every
second and rtph264pay repeats SPS/PPS every second). Clients may use RTP over TCP
(interleaved) or UDP. With --user/--password the mount needs basic auth (a wrong password
gets 401 like a real camera).

Protocol with the parent on stdout, one JSON object per line:
  {"event": "ready", "port": 8554, "mount": "/stream", "pid": 1234}
  {"event": "error", "message": "..."}                               (then exit 2)
It exits when its stdin closes (the parent died) or on SIGTERM/SIGINT.
"""
import argparse
import json
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def parse_args():
    p = argparse.ArgumentParser(description="One-mount live RTSP server fed by MPEG-TS over UDP")
    p.add_argument("--port", type=int, required=True, help="RTSP port on --host")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--mount", default="/stream")
    p.add_argument("--input-port", type=int, required=True, help="UDP port on 127.0.0.1 receiving MPEG-TS")
    p.add_argument("--user", default="")
    p.add_argument("--password", default="")
    return p.parse_args()


def pipeline_description(input_port):
    # The udpsrc buffer is large so a burst of a keyframe is not dropped by the kernel.
    # tsdemux timestamps come from the publisher, which keeps them monotonic across cuts.
    return (
        "( udpsrc address=127.0.0.1 port=%d buffer-size=4194304 "
        'caps="video/mpegts,systemstream=(boolean)true,packetsize=(int)188" '
        "! tsdemux ! h264parse config-interval=-1 "
        "! rtph264pay name=pay0 pt=96 config-interval=1 )" % input_port
    )


def make_factory(args):
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(pipeline_description(args.input_port))
    # One pipeline for all clients: like a camera, a second viewer does not start a second encoder.
    factory.set_shared(True)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)
    if args.user:
        perms = GstRtspServer.RTSPPermissions()
        perms.add_role_from_structure(Gst.Structure.new_empty("viewer"))
        perms.add_permission_for_role("viewer", "media.factory.access", True)
        perms.add_permission_for_role("viewer", "media.factory.construct", True)
        factory.set_permissions(perms)
    return factory


def make_auth(args):
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "viewer")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
    return auth


def watch_parent(loop):
    # stdin closing means the Node parent is gone (even after SIGKILL): never outlive it.
    def on_stdin(_fd, condition):
        if condition & (GLib.IO_HUP | GLib.IO_ERR):
            loop.quit()
            return False
        data = os.read(sys.stdin.fileno(), 4096)
        if not data:
            loop.quit()
            return False
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, lambda *_: (loop.quit(), False)[1])


def main():
    args = parse_args()
    Gst.init(None)
    loop = GLib.MainLoop()
    server = GstRtspServer.RTSPServer()
    server.set_address(args.host)
    server.set_service(str(args.port))
    if args.user:
        server.set_auth(make_auth(args))
    server.get_mount_points().add_factory(args.mount, make_factory(args))
    try:
        source_id = server.attach(None)
    except GLib.Error as err:  # older bindings raise instead of returning 0
        emit("error", message="cannot listen on %s:%d: %s" % (args.host, args.port, err.message))
        return 2
    if source_id == 0:
        emit("error", message="cannot listen on %s:%d (port in use?)" % (args.host, args.port))
        return 2
    watch_parent(loop)
    emit("ready", port=server.get_bound_port(), mount=args.mount, pid=os.getpid())
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
