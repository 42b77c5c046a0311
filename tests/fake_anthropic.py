"""Run a command against a fake Anthropic Messages API on loopback, inside a network namespace.

    unshare -n python3 fake_anthropic.py --bash 'grimoire check design.yaml' -- claude -p ...

The fake model answers the session's main conversation (the requests that offer the Bash tool)
with one Bash tool call per `--bash` command, in order, then with a final text; every other
request (titles, summaries) gets a short text. Claude Code reaches it through
ANTHROPIC_BASE_URL. With no network at all (`unshare -n`) loopback is down, so this script
brings it up first. It exits with the command's exit code; `--log FILE` records every request.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import socket
import struct
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FINAL_TEXT = "Done."
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def bring_loopback_up() -> None:
    """Set `lo` up (a fresh network namespace starts with it down); needs CAP_NET_ADMIN."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, SIOCGIFFLAGS, request)[:18])[1]
        if not flags & IFF_UP:
            fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def tool_results(body: dict) -> int:
    """How many tool results the conversation holds: the number of Bash calls answered so far."""
    count = 0
    for message in body.get("messages", []):
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, list):
            count += sum(1 for block in content if block.get("type") == "tool_result")
    return count


def reply_blocks(body: dict, commands: list[str]) -> tuple[list[dict], str]:
    """The content blocks and stop reason the fake model answers `body` with."""
    offers_bash = any(tool.get("name") == "Bash" for tool in body.get("tools", []))
    if not offers_bash:
        return [{"type": "text", "text": "ok"}], "end_turn"
    answered = tool_results(body)
    if answered < len(commands):
        tool_input = {"command": commands[answered], "description": "Run grimoire"}
        block = {"type": "tool_use", "id": f"toolu_{answered + 1:04d}", "name": "Bash"}
        return [{**block, "input": tool_input}], "tool_use"
    return [{"type": "text", "text": FINAL_TEXT}], "end_turn"


def message(blocks: list[dict], stop_reason: str | None, model: str) -> dict:
    usage = {"input_tokens": 10, "output_tokens": 10}
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": blocks,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage,
    }


def stream_events(blocks: list[dict], stop_reason: str, model: str) -> list[dict]:
    """The server-sent events of a streamed Messages API answer holding `blocks`."""
    events = [{"type": "message_start", "message": message([], None, model)}]
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            empty = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": block["text"]}
        else:
            empty = {**block, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        events += [
            {"type": "content_block_start", "index": index, "content_block": empty},
            {"type": "content_block_delta", "index": index, "delta": delta},
            {"type": "content_block_stop", "index": index},
        ]
    delta = {"stop_reason": stop_reason, "stop_sequence": None}
    events += [
        {"type": "message_delta", "delta": delta, "usage": {"output_tokens": 10}},
        {"type": "message_stop"},
    ]
    return events


def handler_class(commands: list[str], log: list[dict]) -> type[BaseHTTPRequestHandler]:
    class FakeMessagesApi(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_json({"data": [], "has_more": False})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            log.append({"path": self.path, "body": body})
            if not self.path.split("?", 1)[0].endswith("/messages"):
                self.send_json({"input_tokens": 10})
                return
            blocks, stop_reason = reply_blocks(body, commands)
            model = body.get("model", "claude-fake")
            if not body.get("stream"):
                self.send_json(message(blocks, stop_reason, model))
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            for event in stream_events(blocks, stop_reason, model):
                self.wfile.write(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
            self.close_connection = True

        def send_json(self, document: dict) -> None:
            data = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return FakeMessagesApi


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--bash", action="append", default=[], help="a Bash command to call")
    parser.add_argument("--log", help="write every request received to this JSON file")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ARGS...")
    options = parser.parse_args(argv)
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    bring_loopback_up()
    log: list[dict] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class(options.bash, log))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{server.server_port}",
        "ANTHROPIC_API_KEY": "sk-ant-fake-key-for-tests",
    }
    try:
        return subprocess.run(command, env=env, check=False).returncode
    finally:
        server.shutdown()
        if options.log:
            with open(options.log, "w", encoding="utf-8") as file:
                json.dump(log, file)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
