#!/usr/bin/python3
"""
A one-mount RTSP server for the simulated camera (tests and demo), built on GStreamer's
RTSP server through GObject introspection. Run it with Debian's /usr/bin/python3 (it has gi).

The picture comes live from the Node side as H.264 in MPEG-TS over UDP on loopback
(--input-port; with port 0 the server picks free ports itself and reports them, which
avoids races between parallel tests). One shared media pipeline re-payloads it as RTP, so
every client sees the same live stream and can join at any time (the publisher sends a keyframe at least every
second and rtph264pay repeats SPS/PPS every second). Clients may use RTP over TCP
(interleaved) or UDP. With credentials the mount needs Basic auth, or Digest with
SIMCAM_AUTH=digest (a wrong password gets 401 like a real camera); they come from the
environment (SIMCAM_USER, SIMCAM_PASSWORD), not the argument list, which every local user can read.

Protocol with the parent on stdout, one JSON object per line:
  {"event": "ready", "port": 8554, "inputPort": 40000, "mount": "/stream", "pid": 1234}
  {"event": "error", "message": "..."}                               (then exit 2)
It exits when its stdin closes (the parent died) or on SIGTERM/SIGINT.
"""
import argparse
import json
import os
import signal
import socket
import sys

import gi

gi.require_version("Gio", "2.0")
gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gio, GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def parse_args():
    p = argparse.ArgumentParser(description="One-mount live RTSP server fed by MPEG-TS over UDP")
    p.add_argument("--port", type=int, default=0, help="RTSP port on --host (0: any free port)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--mount", default="/stream")
    p.add_argument("--input-port", type=int, default=0, help="UDP port on 127.0.0.1 receiving MPEG-TS (0: any free port)")
    p.add_argument("--codec", choices=["h264", "h265"], default="h264", help="video codec the publisher sends (h265: a camera whose main stream is HEVC)")
    args = p.parse_args()
    # Credentials come from the environment so they do not show in the process list.
    args.user = os.environ.get("SIMCAM_USER", "")
    args.password = os.environ.get("SIMCAM_PASSWORD", "")
    args.auth = os.environ.get("SIMCAM_AUTH", "basic")
    return args


def pipeline_description(codec="h264"):
    # udpsrc gets its socket from open_input() (see on_media_configure). tsdemux ignores the
    # PCR and uses the PTS, which the publisher keeps monotonic across cuts; its latency is 0
    # because the default 700 ms would hold every frame back before it is sent. Each PES the
    # publishers send is one whole picture (simcam.publisher.ts): saying so (alignment=au)
    # lets the parser pass it on at once instead of waiting for the next picture's first NAL.
    return (
        "( udpsrc name=src close-socket=false "
        'caps="video/mpegts,systemstream=(boolean)true,packetsize=(int)188" '
        "! tsdemux name=demux ignore-pcr=true latency=0 "
        "! capsfilter name=align caps=video/x-%s,stream-format=byte-stream,alignment=au "
        "! %sparse name=parse config-interval=-1 "
        "! rtp%spay name=pay0 pt=96 config-interval=1 )" % (codec, codec, codec)
    )


def open_input(port):
    """
    The input socket is bound once, here, for the whole life of the server, so the port the
    parent publishes to cannot be taken by another process between two media pipelines
    (udpsrc would otherwise bind it only when the first client connects).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.bind(("127.0.0.1", port))
    sock.setblocking(False)
    return sock, Gio.Socket.new_from_fd(sock.fileno())


def drain(sock):
    # Datagrams that arrived while no client watched are stale: a new viewer must start live.
    while True:
        try:
            sock.recv(65536)
        except BlockingIOError:
            return


def relink_to(align):
    """
    When the publisher restarts (switchSource, resumeStream) tsdemux sees a new program and
    adds a new pad; the launch line linked only the first one, so link each new pad to the
    parser's input (through the alignment capsfilter). Clients that stay connected then see
    the picture come back instead of a freeze.
    """

    def on_pad_added(_demux, pad):
        if pad.is_linked() or not pad.get_name().startswith("video"):
            return
        sink = align.get_static_pad("sink")
        old = sink.get_peer()
        if old is not None:
            old.unlink(sink)
        if pad.link(sink) != Gst.PadLinkReturn.OK:
            sys.stderr.write("rtsp-server: cannot link new stream pad %s\n" % pad.get_name())

    return on_pad_added


def make_factory(args, py_sock, g_sock):
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(pipeline_description(args.codec))
    # One pipeline for all clients: like a camera, a second viewer does not start a second encoder.
    factory.set_shared(True)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)

    def on_media_configure(_factory, media):
        drain(py_sock)
        pipeline = media.get_element()
        pipeline.get_by_name("src").set_property("socket", g_sock)
        pipeline.get_by_name("demux").connect("pad-added", relink_to(pipeline.get_by_name("align")))

    factory.connect("media-configure", on_media_configure)
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
    if args.auth == "digest":
        # Cheap cameras often offer Digest only: ffmpeg then has to answer the challenge.
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(args.user, args.password, token)
    else:
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
    try:
        py_sock, g_sock = open_input(args.input_port)
    except OSError as err:
        emit("error", message="cannot bind UDP input 127.0.0.1:%d: %s" % (args.input_port, err))
        return 2
    server.get_mount_points().add_factory(args.mount, make_factory(args, py_sock, g_sock))
    try:
        source_id = server.attach(None)
    except GLib.Error as err:  # older bindings raise instead of returning 0
        emit("error", message="cannot listen on %s:%d: %s" % (args.host, args.port, err.message))
        return 2
    if source_id == 0:
        emit("error", message="cannot listen on %s:%d (port in use?)" % (args.host, args.port))
        return 2
    watch_parent(loop)
    emit("ready", port=server.get_bound_port(), inputPort=py_sock.getsockname()[1], mount=args.mount, pid=os.getpid())
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
